package org.phylax.identity.internal;

import java.security.SecureRandom;
import java.util.Base64;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Password hashing with Argon2id through Spring Security's encoder, with the parameters of the
 * OWASP Password Storage Cheat Sheet's first Argon2id option: 19 MiB of memory, 2 iterations, 1
 * lane; 16-byte salt, 32-byte hash. Hashes are PHC strings ({@code
 * $argon2id$v=19$m=19456,t=2,p=1$…}) that carry their parameters, so hashes made under older
 * parameters still verify and are re-hashed at the next successful sign-in.
 */
final class Argon2Passwords {

  static final int SALT_BYTES = 16;
  static final int HASH_BYTES = 32;
  static final int PARALLELISM = 1;
  static final int MEMORY_KIB = 19 * 1024;
  static final int ITERATIONS = 2;

  private final Argon2PasswordEncoder encoder =
      new Argon2PasswordEncoder(SALT_BYTES, HASH_BYTES, PARALLELISM, MEMORY_KIB, ITERATIONS);

  /** Verified against when the username is unknown, so that answering takes as long. */
  private final String dummyHash;

  Argon2Passwords() {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    dummyHash = encoder.encode(Base64.getEncoder().encodeToString(random));
  }

  String hash(String password) {
    return encoder.encode(password);
  }

  boolean matches(String password, String hash) {
    return password != null && encoder.matches(password, hash);
  }

  /** Spends the time of one verification and answers false. */
  boolean matchesNothing(String password) {
    encoder.matches(password == null ? "" : password, dummyHash);
    return false;
  }

  /** Whether {@code hash} was made with other parameters than today's. */
  boolean needsRehash(String hash) {
    return encoder.upgradeEncoding(hash);
  }
}
