package org.phylax.platform.internal;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Gives the database an instance id at its first start and logs it at every start, so that an
 * operator can tell which database a node is using (and a restored copy from the original).
 */
@Component
class InstanceRegistration implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(InstanceRegistration.class);

  private final JdbcClient jdbc;

  InstanceRegistration(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public void run(ApplicationArguments args) {
    jdbc.sql("insert into phylax_instance (instance_id) values (:id) on conflict do nothing")
        .param("id", UUID.randomUUID())
        .update();
    UUID id = jdbc.sql("select instance_id from phylax_instance").query(UUID.class).single();
    log.info("Phylax database instance {}", id);
  }
}
