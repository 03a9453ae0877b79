package org.phylax.records.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.Permit;
import org.phylax.access.RelationshipSource;
import org.phylax.access.SystemAccess;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.phylax.records.RecordStore;
import org.phylax.records.SearchParameter;
import org.phylax.records.StoredResource;
import org.phylax.records.TextMatch;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * After the indexing rules change, the stored index is rebuilt from the decrypted resources: a
 * resource whose tokens and relationship rows are missing (as an older version would have left
 * them) is found again once the re-index has run, and the stored version moves up.
 */
class SearchReindexIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static RecordStore store;
  static JdbcTemplate jdbc;
  static SearchReindex reindex;
  static Permit system;

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    store = server.context().getBean(RecordStore.class);
    jdbc = server.context().getBean(JdbcTemplate.class);
    reindex = server.context().getBean(SearchReindex.class);
    system = server.context().getBean(SystemAccess.class).forTask("test");
    // A fresh database starts at version 1 and is brought up at start, in the background.
    long until = System.currentTimeMillis() + 30_000;
    while (reindex.storedVersion() < ResourceIndexer.INDEX_VERSION
        && System.currentTimeMillis() < until) {
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void reindexWhenTokensAndLinksAreMissingThenRebuildsThemFromTheDecryptedResources() {
    assertThat(reindex.storedVersion()).isEqualTo(ResourceIndexer.INDEX_VERSION);
    Practitioner doctor = new Practitioner();
    doctor.addName().setFamily("Ashgrove");
    UUID practitioner = store.create(system, doctor).id();
    Patient p = new Patient();
    p.addName().setFamily("Wintermoor").addGiven("Synthia");
    p.addGeneralPractitioner(new Reference("Practitioner/" + practitioner));
    UUID patient = store.create(system, p).id();
    RelationshipSource relationships = server.context().getBean(RelationshipSource.class);
    assertThat(found()).containsExactly(patient);
    assertThat(relationships.linksOfPractitioner(patient, practitioner, Instant.now())).hasSize(1);

    // What an index built by older rules looks like: no tokens, no links, an older version.
    jdbc.update("delete from record_search_token where resource_id = ?", patient);
    jdbc.update("delete from record_link where resource_id = ?", patient);
    jdbc.update("update record_index_state set version = 1");
    assertThat(found()).isEmpty();
    assertThat(relationships.linksOfPractitioner(patient, practitioner, Instant.now())).isEmpty();

    assertThat(reindex.run()).isGreaterThanOrEqualTo(2);

    assertThat(reindex.storedVersion()).isEqualTo(ResourceIndexer.INDEX_VERSION);
    assertThat(found()).containsExactly(patient);
    assertThat(relationships.linksOfPractitioner(patient, practitioner, Instant.now()))
        .extracting(RelationshipSource.Link::kind)
        .containsExactly(RelationshipSource.Kind.ASSIGNED);
    // Up to date: nothing to do.
    assertThat(reindex.run()).isZero();
    assertThat(Set.copyOf(found())).hasSize(1);
  }

  private static java.util.List<UUID> found() {
    return store
        .searchText(system, "Patient", SearchParameter.FAMILY, "wintermo", TextMatch.PREFIX)
        .stream()
        .map(StoredResource::id)
        .toList();
  }
}
