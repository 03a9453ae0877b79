package org.phylax.records.internal;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.Permit;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.IntegrityException;
import org.phylax.keys.DataKeys;
import org.phylax.records.NotPermittedException;
import org.phylax.records.RecordExport;
import org.phylax.records.RecordIntegrityException;
import org.phylax.records.StoredResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keyset pages over {@code record_resource} by id. A class of its own beside {@link
 * JdbcRecordStore} so that export does not widen the store's interface; bodies are opened with the
 * same associated data the store seals them with.
 */
@Component
class JdbcRecordExport implements RecordExport {

  private final JdbcClient jdbc;
  private final DataKeys keys;
  private final FhirContext fhir;

  JdbcRecordExport(JdbcClient jdbc, DataKeys keys, FhirContext fhir) {
    this.jdbc = jdbc;
    this.keys = keys;
    this.fhir = fhir;
  }

  @Override
  public List<StoredResource> page(
      Permit permit, String resourceType, Instant since, UUID after, int limit) {
    if (permit == null) {
      throw new NotPermittedException("the record store needs a permit");
    }
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("a page holds 1 to 10000 resources");
    }
    StringBuilder sql =
        new StringBuilder(
            "select id, resource_type, version, patient_id, body, created_at, created_by,"
                + " updated_at, updated_by from record_resource"
                + " where resource_type = :type and deleted_at is null");
    Map<String, Object> params = new HashMap<>();
    params.put("type", resourceType);
    if (permit.patients().isPresent()) {
      if (permit.patients().get().isEmpty()) {
        return List.of();
      }
      sql.append(" and patient_id = any(:patients)");
      params.put("patients", permit.patients().get().toArray(UUID[]::new));
    }
    if (since != null) {
      sql.append(" and updated_at > :since");
      params.put("since", Timestamp.from(since));
    }
    if (after != null) {
      sql.append(" and id > :after");
      params.put("after", after);
    }
    sql.append(" order by id limit :limit");
    params.put("limit", limit);
    FieldCipher cipher = keys.fieldCipher();
    List<StoredResource> out = new ArrayList<>();
    jdbc.sql(sql.toString())
        .params(params)
        .query(
            (rs, n) -> {
              UUID id = rs.getObject("id", UUID.class);
              String type = rs.getString("resource_type");
              long version = rs.getLong("version");
              UUID patient = rs.getObject("patient_id", UUID.class);
              if (!permit.covers(patient)) {
                throw new NotPermittedException(
                    "the permit of " + permit.actor() + " does not cover " + type + "/" + id);
              }
              byte[] json;
              try {
                json =
                    cipher.decrypt(rs.getBytes("body"), JdbcRecordStore.context(type, id, version));
              } catch (IntegrityException e) {
                throw new RecordIntegrityException(
                    type + "/" + id + ": the stored body failed its integrity check", e);
              }
              Resource resource =
                  (Resource)
                      fhir.newJsonParser().parseResource(new String(json, StandardCharsets.UTF_8));
              return new StoredResource(
                  id,
                  type,
                  version,
                  patient,
                  rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                  rs.getString("created_by"),
                  rs.getObject("updated_at", OffsetDateTime.class).toInstant(),
                  rs.getString("updated_by"),
                  null,
                  null,
                  resource);
            })
        .list()
        .forEach(out::add);
    return out;
  }
}
