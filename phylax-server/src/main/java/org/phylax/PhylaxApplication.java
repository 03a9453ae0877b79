package org.phylax;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Spring Boot application. It is started by {@link org.phylax.platform.PhylaxServer}, never
 * directly: the platform validates the configuration and brings up the database first.
 */
@SpringBootApplication(
    proxyBeanMethods = false,
    // Phylax has its own accounts (identity module); Boot's generated in-memory user must not
    // exist.
    excludeName =
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration")
public class PhylaxApplication {}
