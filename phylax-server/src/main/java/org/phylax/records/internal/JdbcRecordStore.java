package org.phylax.records.internal;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.Permit;
import org.phylax.crypto.BlindIndex;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.FieldContext;
import org.phylax.crypto.IntegrityException;
import org.phylax.keys.DataKeys;
import org.phylax.keys.KeyUsage;
import org.phylax.records.NotPermittedException;
import org.phylax.records.RecordDeletedException;
import org.phylax.records.RecordIntegrityException;
import org.phylax.records.RecordNotFoundException;
import org.phylax.records.RecordQuery;
import org.phylax.records.RecordStore;
import org.phylax.records.SchedulingConflictException;
import org.phylax.records.SearchParameter;
import org.phylax.records.StoredResource;
import org.phylax.records.TextMatch;
import org.phylax.records.VersionConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The record store on PostgreSQL through plain JDBC. Each write is one transaction that writes the
 * current row, a history row and the resource's search tokens together. Bodies are encrypted with
 * the keyring's primary key at the moment of writing and bound to {@code (type, id, version,
 * "body")}; search tokens are blind indexes keyed per {@code Type.parameter}.
 */
@Component
class JdbcRecordStore implements RecordStore, KeyUsage {

  static final String BODY = "body";

  /**
   * Suffix of the blind-index field (and token-table param) of name prefixes, e.g. {@code
   * Patient.family:prefix}: its own key, so a prefix token never equals a whole-value token.
   */
  static final String PREFIX = ":prefix";

  private static final String COLUMNS =
      "id, resource_type, version, patient_id, body, key_id, created_at, created_by, updated_at,"
          + " updated_by, deleted_at, deleted_by";

  private static final Logger log = LoggerFactory.getLogger(JdbcRecordStore.class);

  private final JdbcClient jdbc;
  private final JdbcTemplate batch;
  private final TransactionTemplate tx;
  private final DataKeys keys;
  private final FhirContext fhir;
  private final Clock clock;
  private final java.time.ZoneId defaultZone; // for a Location written without one; null: refuse

  JdbcRecordStore(
      JdbcClient jdbc,
      JdbcTemplate batch,
      TransactionTemplate tx,
      DataKeys keys,
      FhirContext fhir,
      ObjectProvider<Clock> clock,
      @Value("${phylax.scheduling.default-zone:UTC}") String defaultZone) {
    this.jdbc = jdbc;
    this.batch = batch;
    this.tx = tx;
    this.keys = keys;
    this.fhir = fhir;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
    if (defaultZone == null || defaultZone.isBlank()) {
      this.defaultZone = null;
    } else if (java.time.ZoneId.getAvailableZoneIds().contains(defaultZone.trim())) {
      this.defaultZone = java.time.ZoneId.of(defaultZone.trim());
    } else {
      throw new IllegalArgumentException(
          "phylax.scheduling.default-zone must be an IANA time zone (e.g. Europe/Berlin) or empty");
    }
  }

  // ---------------------------------------------------------------- writes

  @Override
  public StoredResource create(Permit permit, Resource resource) {
    return createAll(permit, List.of(resource)).get(0);
  }

  @Override
  public List<StoredResource> createAll(Permit permit, List<? extends Resource> resources) {
    requirePermit(permit);
    return tx.execute(
        status -> {
          Instant now = now();
          FieldCipher cipher = keys.fieldCipher();
          BlindIndex index = keys.blindIndex();
          Map<UUID, String> referenced = new LinkedHashMap<>();
          List<Object[]> rows = new ArrayList<>();
          List<Object[]> tokens = new ArrayList<>();
          List<StoredResource> created = new ArrayList<>();
          Derived derived = new Derived();
          List<Resource> copies = new ArrayList<>();
          List<Compartments.Owner> owners = new ArrayList<>();
          Set<UUID> targetIds = new HashSet<>();
          for (Resource given : resources) {
            Resource resource = given.copy();
            SchedulingRules.check(permit, null, resource, defaultZone);
            Compartments.Owner owner = Compartments.ownerOf(resource);
            copies.add(resource);
            owners.add(owner);
            owner.targets().forEach(t -> targetIds.add(t.id()));
          }
          Map<UUID, Stored> targets = lookup(targetIds);
          for (int i = 0; i < copies.size(); i++) {
            Resource resource = copies.get(i);
            Compartments.Owner owner = owners.get(i);
            String type = resource.fhirType();
            UUID id = UUID.randomUUID();
            UUID patientId;
            if (resource instanceof org.hl7.fhir.r4.model.Patient) {
              patientId = id;
            } else {
              patientId = resolve(owner, targets);
              if (owner.patientId() != null) {
                referenced.putIfAbsent(owner.patientId(), owner.element());
              }
            }
            check(permit, patientId, type, id);
            byte[] body = seal(cipher, resource, type, id, 1, now);
            rows.add(
                new Object[] {
                  id,
                  type,
                  1L,
                  patientId,
                  body,
                  keyIdOf(body),
                  ts(now),
                  permit.actor(),
                  ts(now),
                  permit.actor()
                });
            addTokens(index, id, type, resource, tokens);
            derived.add(id, patientId, resource);
            created.add(
                new StoredResource(
                    id,
                    type,
                    1,
                    patientId,
                    now,
                    permit.actor(),
                    now,
                    permit.actor(),
                    null,
                    null,
                    resource));
          }
          requirePatientsExist(referenced);
          String values = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null)";
          batch.batchUpdate("insert into record_resource (" + COLUMNS + ") values " + values, rows);
          batch.batchUpdate(
              "insert into record_resource_history (" + COLUMNS + ") values " + values, rows);
          insertTokens(tokens);
          insertDerived(derived, false);
          syncSlots(permit, Map.of(), derived.slotsHeld);
          requireWithinSlots(derived);
          return created;
        });
  }

  @Override
  public StoredResource update(Permit permit, UUID id, long expectedVersion, Resource resource) {
    requirePermit(permit);
    String type = ResourceIndexer.supportedType(resource);
    return tx.execute(
        status -> {
          Row current = lockCurrent(type, id);
          check(permit, current.patientId, type, id);
          if (current.deletedAt != null) {
            throw new RecordDeletedException(type + "/" + id + " was deleted");
          }
          if (expectedVersion != CURRENT_VERSION && current.version != expectedVersion) {
            throw new VersionConflictException(
                type
                    + "/"
                    + id
                    + ": the update was for version "
                    + expectedVersion
                    + " but version "
                    + current.version
                    + " is current");
          }
          Resource copy = resource.copy();
          SchedulingRules.check(
              permit,
              copy instanceof org.hl7.fhir.r4.model.Appointment ? decode(current).resource() : null,
              copy,
              defaultZone);
          UUID patientId = current.patientId;
          if (!"Patient".equals(type)) {
            Compartments.Owner owner = Compartments.ownerOf(copy);
            Set<UUID> targetIds = new HashSet<>();
            owner.targets().forEach(t -> targetIds.add(t.id()));
            UUID named = resolve(owner, lookup(targetIds));
            if (!java.util.Objects.equals(named, patientId)) {
              check(permit, named, type, id);
              if (owner.patientId() != null) {
                requirePatientsExist(Map.of(owner.patientId(), owner.element()));
              }
              patientId = named;
            }
          }
          Instant now = now();
          long version = current.version + 1;
          FieldCipher cipher = keys.fieldCipher();
          byte[] body = seal(cipher, copy, type, id, version, now);
          jdbc.sql(
                  """
                  update record_resource set version = :version, patient_id = :patient,
                      body = :body, key_id = :key, updated_at = :at, updated_by = :by
                  where id = :id
                  """)
              .param("version", version)
              .param("patient", patientId)
              .param("body", body)
              .param("key", keyIdOf(body))
              .param("at", ts(now))
              .param("by", permit.actor())
              .param("id", id)
              .update();
          insertHistory(id, type, version, patientId, body, current, now, permit.actor(), null);
          jdbc.sql("delete from record_search_token where resource_id = ?").param(id).update();
          List<Object[]> tokens = new ArrayList<>();
          addTokens(keys.blindIndex(), id, type, copy, tokens);
          insertTokens(tokens);
          Set<UUID> heldBefore = slotsHeldNow(id);
          deleteLinks(id);
          Derived derived = new Derived();
          derived.add(id, patientId, copy);
          insertDerived(derived, false);
          syncSlots(permit, Map.of(id, heldBefore), derived.slotsHeld);
          requireWithinSlots(derived);
          return new StoredResource(
              id,
              type,
              version,
              patientId,
              current.createdAt,
              current.createdBy,
              now,
              permit.actor(),
              null,
              null,
              copy);
        });
  }

  /**
   * A delete is a version of its own, as in FHIR: the current row moves to the next version and is
   * marked deleted, and the history gains that version, marked deleted too. Its body is the last
   * content, re-encrypted for the new version's place, so that every history row decrypts.
   */
  @Override
  public void delete(Permit permit, String resourceType, UUID id) {
    requirePermit(permit);
    tx.executeWithoutResult(
        status -> {
          Row current = lockCurrent(resourceType, id);
          check(permit, current.patientId, resourceType, id);
          if (current.deletedAt != null) {
            throw new RecordDeletedException(resourceType + "/" + id + " was already deleted");
          }
          FieldCipher cipher = keys.fieldCipher();
          byte[] plaintext = open(cipher, current);
          long version = current.version + 1;
          byte[] body = cipher.encrypt(plaintext, context(resourceType, id, version));
          Instant now = now();
          jdbc.sql(
                  """
                  update record_resource set version = :version, body = :body, key_id = :key,
                      deleted_at = :at, deleted_by = :by
                  where id = :id
                  """)
              .param("version", version)
              .param("body", body)
              .param("key", keyIdOf(body))
              .param("at", ts(now))
              .param("by", permit.actor())
              .param("id", id)
              .update();
          insertHistory(
              id,
              resourceType,
              version,
              current.patientId,
              body,
              current,
              current.updatedAt,
              current.updatedBy,
              new Deletion(now, permit.actor()));
          jdbc.sql("delete from record_search_token where resource_id = ?").param(id).update();
          Set<UUID> heldBefore = slotsHeldNow(id);
          deleteLinks(id);
          syncSlots(permit, Map.of(id, heldBefore), Map.of());
        });
  }

  // ---------------------------------------------------------------- reads

  @Override
  public StoredResource read(Permit permit, String resourceType, UUID id) {
    requirePermit(permit);
    Row row =
        jdbc.sql("select " + COLUMNS + " from record_resource where id = ? and resource_type = ?")
            .params(id, resourceType)
            .query(JdbcRecordStore::row)
            .optional()
            .orElseThrow(() -> notFound(resourceType, id));
    check(permit, row.patientId, resourceType, id);
    if (row.deletedAt != null) {
      throw new RecordDeletedException(resourceType + "/" + id + " was deleted");
    }
    return decode(row);
  }

  @Override
  public StoredResource vread(Permit permit, String resourceType, UUID id, long version) {
    requirePermit(permit);
    Row row =
        jdbc.sql(
                "select "
                    + COLUMNS
                    + " from record_resource_history where id = ? and version = ?"
                    + " and resource_type = ?")
            .params(id, version, resourceType)
            .query(JdbcRecordStore::row)
            .optional()
            .orElseThrow(
                () ->
                    new RecordNotFoundException(
                        resourceType + "/" + id + "/_history/" + version + " does not exist"));
    check(permit, row.patientId, resourceType, id);
    if (row.deletedAt != null) {
      throw new RecordDeletedException(
          resourceType + "/" + id + "/_history/" + version + " is the version that deleted it");
    }
    return decode(row);
  }

  @Override
  public List<StoredResource> history(Permit permit, String resourceType, UUID id) {
    requirePermit(permit);
    List<Row> rows =
        jdbc.sql(
                "select "
                    + COLUMNS
                    + " from record_resource_history where id = ? and resource_type = ?"
                    + " order by version desc")
            .params(id, resourceType)
            .query(JdbcRecordStore::row)
            .list();
    if (rows.isEmpty()) {
      throw notFound(resourceType, id);
    }
    for (Row row : rows) {
      check(permit, row.patientId, resourceType, id);
    }
    List<StoredResource> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      out.add(decode(row));
    }
    return out;
  }

  /** When a version was written; a delete's version, when it was deleted. */
  private static final String VERSION_TIME = "coalesce(deleted_at, updated_at)";

  @Override
  public List<StoredResource> history(
      List<HistoryScope> scopes, Instant since, int offset, int limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative");
    }
    Map<String, Object> params = new HashMap<>();
    String where = historyCondition(scopes, since, params);
    if (where == null || limit == 0) {
      return List.of();
    }
    params.put("offset", offset);
    params.put("limit", limit);
    List<Row> rows =
        jdbc.sql(
                "select "
                    + COLUMNS
                    + " from record_resource_history where "
                    + where
                    + " order by "
                    + VERSION_TIME
                    + " desc, id, version desc offset :offset limit :limit")
            .params(params)
            .query(JdbcRecordStore::row)
            .list();
    Map<String, HistoryScope> byType = new HashMap<>();
    scopes.forEach(scope -> byType.put(scope.resourceType(), scope));
    List<StoredResource> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      // The query decided; this is the same rule once more before anything is decrypted.
      HistoryScope scope = byType.get(row.type);
      if (scope == null || (row.patientId == null && !scope.withoutPatient())) {
        throw new NotPermittedException("a history row fell outside its scope: " + row);
      }
      check(scope.permit(), row.patientId, row.type, row.id);
      out.add(decode(row));
    }
    return out;
  }

  @Override
  public long historyCount(List<HistoryScope> scopes, Instant since) {
    Map<String, Object> params = new HashMap<>();
    String where = historyCondition(scopes, since, params);
    if (where == null) {
      return 0;
    }
    return jdbc.sql("select count(*) from record_resource_history where " + where)
        .params(params)
        .query(Long.class)
        .single();
  }

  /**
   * The condition of a history query: per group of types with the same permit, {@code resource_type
   * = any(…) and (patient_id = any(…) or patient_id is null)} as the scope allows; null when the
   * scopes can show nothing.
   */
  private static String historyCondition(
      List<HistoryScope> scopes, Instant since, Map<String, Object> params) {
    Map<List<Object>, List<String>> groups = new LinkedHashMap<>();
    for (HistoryScope scope : scopes) {
      requirePermit(scope.permit());
      Optional<Set<UUID>> patients = scope.permit().patients();
      if (patients.isPresent() && patients.get().isEmpty() && !scope.withoutPatient()) {
        continue; // nothing of this type to show
      }
      List<Object> key = java.util.Arrays.asList(patients.orElse(null), scope.withoutPatient());
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(scope.resourceType());
    }
    if (groups.isEmpty()) {
      return null;
    }
    List<String> alternatives = new ArrayList<>();
    int n = 0;
    for (Map.Entry<List<Object>, List<String>> group : groups.entrySet()) {
      @SuppressWarnings("unchecked")
      Set<UUID> patients = (Set<UUID>) group.getKey().get(0);
      boolean withoutPatient = (Boolean) group.getKey().get(1);
      params.put("types" + n, group.getValue().toArray(String[]::new));
      String ofPatients;
      if (patients == null) {
        ofPatients = "patient_id is not null";
      } else if (patients.isEmpty()) {
        ofPatients = "false";
      } else {
        params.put("patients" + n, patients.toArray(UUID[]::new));
        ofPatients = "patient_id = any(:patients" + n + ")";
      }
      alternatives.add(
          "(resource_type = any(:types"
              + n
              + ") and ("
              + ofPatients
              + (withoutPatient ? " or patient_id is null" : "")
              + "))");
      n++;
    }
    String where = "(" + String.join(" or ", alternatives) + ")";
    if (since != null) {
      params.put("since", ts(since));
      where += " and " + VERSION_TIME + " >= :since";
    }
    return where;
  }

  @Override
  public List<StoredResource> search(
      Permit permit, String resourceType, SearchParameter parameter, String value) {
    requirePermit(permit);
    requireApplies(parameter, resourceType);
    String normalized = ResourceIndexer.normalizeQuery(parameter, value);
    String field = field(resourceType, parameter);
    byte[] token = keys.blindIndex().token(field, normalized);
    List<Row> rows =
        candidates(
            permit,
            resourceType,
            "t.param = :param and t.token = :token",
            Map.of("param", field, "token", token));
    List<StoredResource> out = new ArrayList<>();
    for (Row row : rows) {
      StoredResource stored = decode(row);
      // A truncated token can collide; only the decrypted value decides.
      if (ResourceIndexer.values(stored.resource(), parameter).contains(normalized)) {
        out.add(stored);
      }
    }
    return out;
  }

  @Override
  public List<StoredResource> searchText(
      Permit permit,
      String resourceType,
      SearchParameter parameter,
      String value,
      TextMatch match) {
    requirePermit(permit);
    requireApplies(parameter, resourceType);
    if (match == null) {
      throw new IllegalArgumentException("a string search needs a match (prefix or exact)");
    }
    String normalized = ResourceIndexer.normalizeText(parameter, value, match);
    String field;
    String key;
    if (match == TextMatch.PREFIX) {
      field = field(resourceType, parameter) + PREFIX;
      key = ResourceIndexer.prefixKey(normalized);
    } else {
      // The exact-value token folds case and accents; the raw comparison follows decryption.
      field = field(resourceType, parameter);
      key = normalized;
    }
    byte[] token = keys.blindIndex().token(field, key);
    List<Row> rows =
        candidates(
            permit,
            resourceType,
            "t.param = :param and t.token = :token",
            Map.of("param", field, "token", token));
    List<StoredResource> out = new ArrayList<>();
    for (Row row : rows) {
      StoredResource stored = decode(row);
      if (ResourceIndexer.matchesText(stored.resource(), parameter, value, normalized, match)) {
        out.add(stored);
      }
    }
    return out;
  }

  @Override
  public List<StoredResource> searchDateRange(
      Permit permit, String resourceType, SearchParameter parameter, LocalDate from, LocalDate to) {
    requirePermit(permit);
    requireApplies(parameter, resourceType);
    if (parameter.kind() != SearchParameter.Kind.DATE) {
      throw new IllegalArgumentException("search parameter " + parameter.code() + " is not a date");
    }
    if (from == null || to == null || to.isBefore(from)) {
      throw new IllegalArgumentException("a date range needs from <= to");
    }
    String field = field(resourceType, parameter);
    List<Row> rows =
        candidates(
            permit,
            resourceType,
            "t.param = :param and t.year between :fromYear and :toYear",
            Map.of("param", field, "fromYear", from.getYear(), "toYear", to.getYear()));
    List<StoredResource> out = new ArrayList<>();
    for (Row row : rows) {
      StoredResource stored = decode(row);
      for (String date : ResourceIndexer.values(stored.resource(), parameter)) {
        if (ResourceIndexer.overlaps(date, from, to)) {
          out.add(stored);
          break;
        }
      }
    }
    return out;
  }

  @Override
  public List<StoredResource> search(Permit permit, RecordQuery query) {
    requirePermit(permit);
    Where where = where(permit, query, true);
    List<Row> rows =
        jdbc.sql("select " + COLUMNS + where.sql + " order by r.created_at, r.id")
            .params(where.params)
            .query(JdbcRecordStore::row)
            .list();
    List<StoredResource> out = new ArrayList<>();
    String type = query.resourceType();
    for (Row row : rows) {
      check(permit, row.patientId, type, row.id);
      StoredResource stored = decode(row);
      // Tokens narrow (and can collide); the decrypted values decide.
      if (where.checks.stream().allMatch(check -> check.test(stored.resource()))) {
        out.add(stored);
      }
    }
    query.sort().ifPresent(sort -> sortByDate(out, sort));
    return out;
  }

  @Override
  public Optional<SearchPage> searchPage(
      Permit permit, RecordQuery query, boolean withoutPatient, int offset, int limit) {
    requirePermit(permit);
    if (query.sort().isPresent()) {
      return Optional.empty();
    }
    Where where = where(permit, query, withoutPatient);
    if (!where.exact) {
      return Optional.empty();
    }
    long total =
        jdbc.sql("select count(*)" + where.sql).params(where.params).query(Long.class).single();
    if (limit == 0 || offset >= total) {
      return Optional.of(new SearchPage(total, List.of()));
    }
    Map<String, Object> params = new HashMap<>(where.params);
    params.put("pageLimit", limit);
    params.put("pageOffset", offset);
    List<Row> rows =
        jdbc.sql(
                "select "
                    + COLUMNS
                    + where.sql
                    + " order by r.created_at, r.id limit :pageLimit offset :pageOffset")
            .params(params)
            .query(JdbcRecordStore::row)
            .list();
    List<StoredResource> page = new ArrayList<>();
    for (Row row : rows) {
      check(permit, row.patientId, query.resourceType(), row.id);
      StoredResource stored = decode(row);
      if (!where.checks.stream().allMatch(check -> check.test(stored.resource()))) {
        // A token collision: the count cannot be trusted; the caller decides on every row.
        return Optional.empty();
      }
      page.add(stored);
    }
    return Optional.of(new SearchPage(total, page));
  }

  /**
   * The {@code from … where …} of a search, its parameters, what decides each criterion after
   * decryption, and whether the tokens alone decide them all (exact tokens, and prefixes no longer
   * than the indexed ones), so that the database may count and page.
   */
  private record Where(String sql, Map<String, Object> params, List<Check> checks, boolean exact) {}

  private Where where(Permit permit, RecordQuery query, boolean withoutPatient) {
    String type = query.resourceType();
    BlindIndex index = keys.blindIndex();
    boolean exact = true;
    StringBuilder sql =
        new StringBuilder(
            " from record_resource r where r.resource_type = :type and r.deleted_at is null");
    Map<String, Object> params = new HashMap<>();
    params.put("type", type);
    if (query.ids().isPresent()) {
      sql.append(" and r.id = any(:ids)");
      params.put("ids", query.ids().get().toArray(UUID[]::new));
    }
    if (query.patient().isPresent()) {
      sql.append(" and r.patient_id = :patient");
      params.put("patient", query.patient().get());
    }
    // What each criterion is decided by after decryption, in the criteria's order.
    List<Check> checks = new ArrayList<>();
    int n = 0;
    for (RecordQuery.Criterion c : query.criteria()) {
      SearchParameter parameter = c.parameter();
      requireApplies(parameter, type);
      String p = "p" + n;
      sql.append(" and exists (select 1 from record_search_token t where t.resource_id = r.id");
      switch (c.kind()) {
        case DATE_RANGE -> {
          params.put(p, field(type, parameter));
          params.put(p + "from", c.from().getYear());
          params.put(p + "to", c.to().getYear());
          exact = false; // tokens are years
          sql.append(" and t.param = :")
              .append(p)
              .append(" and t.year between :")
              .append(p)
              .append("from and :")
              .append(p)
              .append("to)");
          checks.add(
              resource -> {
                for (String date : ResourceIndexer.values(resource, parameter)) {
                  if (ResourceIndexer.overlaps(date, c.from(), c.to())) {
                    return true;
                  }
                }
                return false;
              });
        }
        case EQUALS -> {
          Set<String> normalized = new java.util.LinkedHashSet<>();
          for (String value : c.values()) {
            normalized.add(ResourceIndexer.normalizeQuery(parameter, value));
          }
          String field = field(type, parameter);
          params.put(p, field);
          sql.append(" and t.param = :").append(p).append(" and (");
          int i = 0;
          for (String value : normalized) {
            String t = p + "t" + i;
            params.put(t, index.token(field, value));
            sql.append(i++ == 0 ? "" : " or ").append("t.token = :").append(t);
          }
          sql.append("))");
          checks.add(
              resource -> {
                Set<String> values = ResourceIndexer.values(resource, parameter);
                return normalized.stream().anyMatch(values::contains);
              });
        }
        case TEXT -> {
          List<String> raw = c.values();
          List<String> normalized = new ArrayList<>();
          for (String value : raw) {
            normalized.add(ResourceIndexer.normalizeText(parameter, value, c.match()));
          }
          String field = field(type, parameter) + (c.match() == TextMatch.PREFIX ? PREFIX : "");
          if (c.match() != TextMatch.PREFIX) {
            exact = false; // ":exact" compares the text as written
          }
          params.put(p, field);
          sql.append(" and t.param = :").append(p).append(" and (");
          for (int i = 0; i < normalized.size(); i++) {
            String key =
                c.match() == TextMatch.PREFIX
                    ? ResourceIndexer.prefixKey(normalized.get(i))
                    : normalized.get(i);
            if (!key.equals(normalized.get(i))) {
              exact = false; // longer than the indexed prefixes
            }
            String t = p + "t" + i;
            params.put(t, index.token(field, key));
            sql.append(i == 0 ? "" : " or ").append("t.token = :").append(t);
          }
          sql.append("))");
          checks.add(
              resource -> {
                for (int i = 0; i < raw.size(); i++) {
                  if (ResourceIndexer.matchesText(
                      resource, parameter, raw.get(i), normalized.get(i), c.match())) {
                    return true;
                  }
                }
                return false;
              });
        }
      }
      n++;
    }
    if (!withoutPatient) {
      sql.append(" and r.patient_id is not null");
    }
    if (permit.patients().isPresent()) {
      // Resources of no patient (the directory) are covered by every permit.
      sql.append(" and (r.patient_id is null or r.patient_id = any(:patients))");
      params.put("patients", permit.patients().get().toArray(UUID[]::new));
    }
    return new Where(sql.toString(), params, checks, exact);
  }

  /** One criterion, decided on a decrypted resource. */
  private interface Check extends java.util.function.Predicate<Resource> {}

  /** Stable sort by a date's first day; resources without the date last in either direction. */
  private static void sortByDate(List<StoredResource> resources, RecordQuery.Sort sort) {
    Map<UUID, LocalDate> keys = new HashMap<>();
    for (StoredResource r : resources) {
      LocalDate first = null;
      for (String date : ResourceIndexer.values(r.resource(), sort.parameter())) {
        LocalDate start = ResourceIndexer.start(date);
        if (first == null || start.isBefore(first)) {
          first = start;
        }
      }
      keys.put(r.id(), first);
    }
    java.util.Comparator<LocalDate> order = java.util.Comparator.naturalOrder();
    if (sort.descending()) {
      order = order.reversed();
    }
    resources.sort(
        java.util.Comparator.comparing(
            (StoredResource r) -> keys.get(r.id()), java.util.Comparator.nullsLast(order)));
  }

  @Override
  public List<StoredResource> listOfPatient(
      Permit permit, String resourceType, UUID patientId, int offset, int limit) {
    requirePermit(permit);
    requirePatientCovered(permit, resourceType, patientId);
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative");
    }
    List<Row> rows =
        jdbc.sql(
                "select "
                    + COLUMNS
                    + " from record_resource where patient_id = :patient and resource_type = :type"
                    + " and deleted_at is null order by created_at, id offset :offset limit :limit")
            .param("patient", patientId)
            .param("type", resourceType)
            .param("offset", offset)
            .param("limit", limit)
            .query(JdbcRecordStore::row)
            .list();
    List<StoredResource> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      out.add(decode(row));
    }
    return out;
  }

  /**
   * The free slots of a schedule in a range. The held time of the schedule's actors in the range is
   * gathered first into one multirange (a GiST range scan per actor), so that each candidate slot
   * is checked against it in memory (O(log n)) instead of probing the bookings index once per slot;
   * the candidates come from the partial index on free slots by start.
   */
  private static final String FREE_SLOTS =
      "with candidate as materialized ("
          + "  select s.resource_id, s.during from record_slot s"
          + "  where s.schedule_id = :schedule and s.free"
          + "  and lower(s.during) >= :from and lower(s.during) < :to),"
          + " taken as materialized ("
          + "  select range_agg(b.during) as during from record_schedule_actor a"
          + "  join record_booking b on b.actor_id = a.actor_id"
          + "  where a.schedule_id = :schedule and b.holds"
          + "  and b.during && tstzrange(:from, (select max(upper(during)) from candidate), '[)'))"
          + " select "
          + prefixed("r.")
          + " from candidate c join record_resource r on r.id = c.resource_id, taken t"
          + " where r.deleted_at is null and (t.during is null or not (t.during && c.during))"
          + " order by lower(c.during), c.resource_id limit :limit";

  @Override
  public List<StoredResource> freeSlots(
      Permit permit, UUID scheduleId, Instant from, Instant to, int limit) {
    requirePermit(permit);
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative");
    }
    List<Row> rows =
        jdbc.sql(FREE_SLOTS)
            .param("schedule", scheduleId)
            .param("from", ts(from))
            .param("to", ts(to))
            .param("limit", limit)
            .query(JdbcRecordStore::row)
            .list();
    List<StoredResource> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      out.add(decode(row));
    }
    return out;
  }

  @Override
  public Set<Instant> slotStarts(UUID scheduleId, Instant from, Instant to) {
    return new HashSet<>(
        jdbc.sql(
                "select lower(s.during) from record_slot s join record_resource r"
                    + " on r.id = s.resource_id where s.schedule_id = ? and r.deleted_at is null"
                    + " and lower(s.during) >= ? and lower(s.during) < ?")
            .params(scheduleId, ts(from), ts(to))
            .query((rs, n) -> rs.getObject(1, OffsetDateTime.class).toInstant())
            .list());
  }

  private static String prefixed(String alias) {
    StringBuilder out = new StringBuilder();
    for (String column : COLUMNS.split(",\\s*")) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(alias).append(column.trim());
    }
    return out.toString();
  }

  @Override
  public long countOfPatient(Permit permit, String resourceType, UUID patientId) {
    requirePermit(permit);
    requirePatientCovered(permit, resourceType, patientId);
    return jdbc.sql(
            "select count(*) from record_resource where patient_id = ? and resource_type = ?"
                + " and deleted_at is null")
        .params(patientId, resourceType)
        .query(Long.class)
        .single();
  }

  private static void requirePatientCovered(Permit permit, String resourceType, UUID patientId) {
    if (patientId == null) {
      throw new IllegalArgumentException("listing a patient's resources needs the patient");
    }
    if (!permit.covers(patientId)) {
      throw new NotPermittedException(
          "the permit of "
              + permit.actor()
              + " does not cover Patient/"
              + patientId
              + " for its "
              + resourceType
              + " resources");
    }
  }

  @Override
  public Map<Integer, Long> valuesPerKey() {
    Map<Integer, Long> counts = new HashMap<>();
    jdbc.sql(
            """
            select key_id, count(*) as n from (
                select key_id from record_resource
                union all
                select key_id from record_resource_history) k
            group by key_id
            """)
        .query(
            (rs, n) -> counts.put((int) rs.getLong("key_id"), rs.getLong("n"))) // unsigned 32-bit
        .list();
    return counts;
  }

  // ---------------------------------------------------------------- helpers

  private List<Row> candidates(
      Permit permit, String resourceType, String tokenCondition, Map<String, Object> params) {
    StringBuilder sql =
        new StringBuilder("select ")
            .append(COLUMNS)
            .append(
                " from record_resource r where r.resource_type = :type and r.deleted_at is null"
                    + " and exists (select 1 from record_search_token t where t.resource_id = r.id"
                    + " and ")
            .append(tokenCondition)
            .append(")");
    Map<String, Object> all = new HashMap<>(params);
    all.put("type", resourceType);
    if (permit.patients().isPresent()) {
      // Resources of no patient are covered by every permit (Permit.covers(null)).
      sql.append(" and (r.patient_id = any(:patients) or r.patient_id is null)");
      all.put("patients", permit.patients().get().toArray(UUID[]::new));
    }
    sql.append(" order by r.created_at, r.id");
    return jdbc.sql(sql.toString()).params(all).query(JdbcRecordStore::row).list();
  }

  private Row lockCurrent(String resourceType, UUID id) {
    return jdbc.sql(
            "select "
                + COLUMNS
                + " from record_resource where id = ? and resource_type = ? for update")
        .params(id, resourceType)
        .query(JdbcRecordStore::row)
        .optional()
        .orElseThrow(() -> notFound(resourceType, id));
  }

  /** The type and patient of stored resources (deleted ones included), by id. */
  private Map<UUID, Stored> lookup(Set<UUID> ids) {
    Map<UUID, Stored> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    jdbc.sql("select id, resource_type, patient_id from record_resource where id = any(?)")
        .param(ids.toArray(UUID[]::new))
        .query(
            (rs, n) ->
                out.put(
                    rs.getObject("id", UUID.class),
                    new Stored(
                        rs.getString("resource_type"), rs.getObject("patient_id", UUID.class))))
        .list();
    return out;
  }

  /**
   * The patient a resource belongs to (null for none): the one its element names, or for a
   * Provenance the patient its Patient target names and that of every stored resource it targets,
   * which must all agree.
   */
  private static UUID resolve(Compartments.Owner owner, Map<UUID, Stored> stored) {
    if (owner.targets().isEmpty()) {
      return owner.patientId();
    }
    Set<UUID> patients = new java.util.LinkedHashSet<>();
    if (owner.patientId() != null) {
      patients.add(owner.patientId());
    }
    for (Compartments.Target target : owner.targets()) {
      Stored found = stored.get(target.id());
      if (found == null || !found.type.equals(target.type())) {
        throw new IllegalArgumentException(
            owner.element() + " references a resource the record store does not hold");
      }
      if (found.patientId != null) {
        patients.add(found.patientId);
      }
    }
    if (patients.size() > 1) {
      throw new IllegalArgumentException(
          owner.element() + " names resources of more than one Patient");
    }
    return patients.isEmpty() ? null : patients.iterator().next();
  }

  /** A stored resource's type and patient; ids only. */
  private record Stored(String type, UUID patientId) {}

  private void requirePatientsExist(Map<UUID, String> referenced) {
    if (referenced.isEmpty()) {
      return;
    }
    Set<UUID> existing =
        new HashSet<>(
            jdbc.sql(
                    "select id from record_resource where resource_type = 'Patient'"
                        + " and deleted_at is null and id = any(?)")
                .param(referenced.keySet().toArray(UUID[]::new))
                .query(UUID.class)
                .list());
    for (Map.Entry<UUID, String> ref : referenced.entrySet()) {
      if (!existing.contains(ref.getKey())) {
        throw new IllegalArgumentException(ref.getValue() + " references no existing Patient");
      }
    }
  }

  private void insertHistory(
      UUID id,
      String type,
      long version,
      UUID patientId,
      byte[] body,
      Row current,
      Instant updatedAt,
      String updatedBy,
      Deletion deletion) {
    jdbc.sql(
            "insert into record_resource_history ("
                + COLUMNS
                + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .params(
            id,
            type,
            version,
            patientId,
            body,
            keyIdOf(body),
            ts(current.createdAt),
            current.createdBy,
            ts(updatedAt),
            updatedBy,
            deletion == null ? null : ts(deletion.at),
            deletion == null ? null : deletion.by)
        .update();
  }

  private void addTokens(
      BlindIndex index, UUID id, String type, Resource resource, List<Object[]> tokens) {
    for (IndexEntry entry : ResourceIndexer.entries(resource)) {
      String field = field(type, entry.parameter()) + (entry.prefix() ? PREFIX : "");
      tokens.add(
          new Object[] {
            id, field, index.token(field, entry.normalized()), entry.year(),
          });
    }
  }

  /**
   * What the store derives from resources besides search tokens: the relationship rows of the
   * access policy (record_link, record_affiliation) and the bookings of appointments
   * (record_booking), all rewritten with the resource in its transaction.
   */
  private static final class Derived {
    final List<Object[]> links = new ArrayList<>();
    final List<Object[]> affiliations = new ArrayList<>();
    final List<Object[]> bookings = new ArrayList<>();
    final List<Links.Booking> bookingOf = new ArrayList<>();
    final List<Object[]> scheduleActors = new ArrayList<>();
    final List<Object[]> slots = new ArrayList<>();
    final Map<UUID, Set<UUID>> slotsHeld = new LinkedHashMap<>();
    final Map<UUID, org.hl7.fhir.r4.model.Appointment> appointments = new HashMap<>();

    void add(UUID id, UUID patientId, Resource resource) {
      for (UUID actor : Links.scheduleActorsOf(resource)) {
        scheduleActors.add(new Object[] {id, actor});
      }
      Links.SlotTime slot = Links.slotOf(resource);
      if (slot != null) {
        slots.add(
            new Object[] {id, slot.scheduleId(), ts(slot.start()), ts(slot.end()), slot.free()});
      }
      if (resource instanceof org.hl7.fhir.r4.model.Appointment appointment) {
        slotsHeld.put(id, Links.slotsHeldBy(resource));
        appointments.put(id, appointment);
      }
      if (patientId != null) {
        for (Links.Link link : Links.of(resource, patientId)) {
          links.add(new Object[] {id, link.patientId(), link.kind(), link.actorId(), link.timed()});
        }
        for (Links.Booking b : Links.bookingsOf(resource)) {
          bookings.add(
              new Object[] {id, patientId, b.actorId(), ts(b.start()), ts(b.end()), b.holds()});
          bookingOf.add(b);
        }
      }
      Links.Affiliation affiliation = Links.affiliationOf(resource);
      if (affiliation != null) {
        affiliations.add(
            new Object[] {
              id, affiliation.practitionerId(), affiliation.organizationId(), affiliation.timed()
            });
      }
    }

    /**
     * As {@link #add}, but a resource stored before today's rules books no one rather than fail.
     */
    void addLenient(UUID id, UUID patientId, Resource resource) {
      try {
        add(id, patientId, resource);
      } catch (IllegalArgumentException e) {
        log.warn("reindex: {}/{} books no one: {}", resource.fhirType(), id, e.getMessage());
      }
    }
  }

  /**
   * Writes what {@link Derived} collected. A booking that would overlap one that holds the same
   * participant's time is refused with {@link SchedulingConflictException} (the exclusion
   * constraint decides, so a race loses too); when {@code lenient} (re-indexing what is already
   * stored) it is skipped and counted in the log instead.
   */
  private void insertDerived(Derived d, boolean lenient) {
    if (!d.links.isEmpty()) {
      batch.batchUpdate(
          "insert into record_link (resource_id, patient_id, kind, actor_id, timed)"
              + " values (?, ?, ?, ?, ?)",
          d.links,
          new int[] {
            java.sql.Types.OTHER,
            java.sql.Types.OTHER,
            java.sql.Types.VARCHAR,
            java.sql.Types.OTHER,
            java.sql.Types.BOOLEAN
          });
    }
    if (!d.affiliations.isEmpty()) {
      batch.batchUpdate(
          "insert into record_affiliation (resource_id, practitioner_id, organization_id, timed)"
              + " values (?, ?, ?, ?)",
          d.affiliations,
          new int[] {
            java.sql.Types.OTHER, java.sql.Types.OTHER, java.sql.Types.OTHER, java.sql.Types.BOOLEAN
          });
    }
    insertSlots(d, lenient);
    if (d.bookings.isEmpty()) {
      return;
    }
    List<Object[]> rows = withPractitionersOfRoles(d);
    if (lenient) {
      int skipped = 0;
      for (Object[] row : rows) {
        skipped +=
            1
                - jdbc.sql(
                        "insert into record_booking (resource_id, patient_id, actor_id, during,"
                            + " holds) values (?, ?, ?, tstzrange(?, ?, '[)'), ?)"
                            + " on conflict do nothing")
                    .params(row)
                    .update();
      }
      if (skipped > 0) {
        log.warn("reindex: {} appointment bookings overlap earlier ones and were skipped", skipped);
      }
      return;
    }
    for (Object[] row : rows) {
      if (Boolean.TRUE.equals(row[5])) {
        requireFree((UUID) row[0], (UUID) row[2], (OffsetDateTime) row[3], (OffsetDateTime) row[4]);
      }
    }
    try {
      batch.batchUpdate(
          "insert into record_booking (resource_id, patient_id, actor_id, during, holds)"
              + " values (?, ?, ?, tstzrange(?, ?, '[)'), ?)",
          rows,
          new int[] {
            java.sql.Types.OTHER,
            java.sql.Types.OTHER,
            java.sql.Types.OTHER,
            java.sql.Types.TIMESTAMP_WITH_TIMEZONE,
            java.sql.Types.TIMESTAMP_WITH_TIMEZONE,
            java.sql.Types.BOOLEAN
          });
    } catch (DataIntegrityViolationException e) {
      if (isExclusionViolation(e)) {
        throw new SchedulingConflictException(
            "Appointment: a participant was booked at an overlapping time by another request"
                + " that committed first");
      }
      throw e;
    }
  }

  /**
   * The booking rows, plus one for the Practitioner of each PractitionerRole participant (when the
   * appointment does not name that practitioner already), so that booking a role and booking its
   * practitioner directly cannot overlap either.
   */
  private List<Object[]> withPractitionersOfRoles(Derived d) {
    List<Object[]> rows = new ArrayList<>(d.bookings);
    Set<UUID> roles = new HashSet<>();
    for (int i = 0; i < d.bookings.size(); i++) {
      if ("PractitionerRole".equals(d.bookingOf.get(i).actorType())) {
        roles.add(d.bookingOf.get(i).actorId());
      }
    }
    if (roles.isEmpty()) {
      return rows;
    }
    Map<UUID, UUID> practitionerOf = new HashMap<>();
    jdbc.sql(
            "select resource_id, practitioner_id from record_affiliation where resource_id = any(?)")
        .param(roles.toArray(UUID[]::new))
        .query(
            (rs, n) ->
                practitionerOf.put(
                    rs.getObject("resource_id", UUID.class),
                    rs.getObject("practitioner_id", UUID.class)))
        .list();
    Set<String> present = new HashSet<>();
    for (Object[] row : d.bookings) {
      present.add(row[0] + "/" + row[2]);
    }
    for (Object[] row : d.bookings) {
      UUID practitioner = practitionerOf.get((UUID) row[2]);
      if (practitioner != null && present.add(row[0] + "/" + practitioner)) {
        rows.add(new Object[] {row[0], row[1], practitioner, row[3], row[4], row[5]});
      }
    }
    return rows;
  }

  private void requireFree(UUID appointment, UUID actor, OffsetDateTime start, OffsetDateTime end) {
    boolean taken =
        jdbc.sql(
                "select exists (select 1 from record_booking where holds and actor_id = ?"
                    + " and during && tstzrange(?, ?, '[)') and resource_id <> ?)")
            .params(actor, start, end, appointment)
            .query(Boolean.class)
            .single();
    if (taken) {
      throw new SchedulingConflictException(
          "Appointment/"
              + appointment
              + ": a participant ("
              + actor
              + ") already has a booked appointment that overlaps this time");
    }
  }

  private static boolean isExclusionViolation(DataIntegrityViolationException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23P01".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes the clear rows of Schedules (their actors) and Slots (their times). A second Slot of one
   * Schedule at the same time is refused with {@link SchedulingConflictException}, or skipped when
   * {@code lenient}. When lenient (re-indexing), the slots appointments hold are written too;
   * otherwise {@link #syncSlots} does that, since it also rewrites the Slots' status.
   */
  private void insertSlots(Derived d, boolean lenient) {
    if (!d.scheduleActors.isEmpty()) {
      batch.batchUpdate(
          "insert into record_schedule_actor (schedule_id, actor_id) values (?, ?)"
              + " on conflict do nothing",
          d.scheduleActors,
          new int[] {java.sql.Types.OTHER, java.sql.Types.OTHER});
    }
    if (!d.slots.isEmpty()) {
      String insert =
          "insert into record_slot (resource_id, schedule_id, during, free)"
              + " values (?, ?, tstzrange(?, ?, '[)'), ?)";
      int[] types = {
        java.sql.Types.OTHER,
        java.sql.Types.OTHER,
        java.sql.Types.TIMESTAMP_WITH_TIMEZONE,
        java.sql.Types.TIMESTAMP_WITH_TIMEZONE,
        java.sql.Types.BOOLEAN
      };
      if (lenient) {
        batch.batchUpdate(insert + " on conflict do nothing", d.slots, types);
      } else {
        try {
          batch.batchUpdate(insert, d.slots, types);
        } catch (DataIntegrityViolationException e) {
          if (hasState(e, "23505")) {
            throw new SchedulingConflictException(
                "Slot: its Schedule already has a slot with the same start and end");
          }
          throw e;
        }
      }
    }
    if (lenient) {
      for (Map.Entry<UUID, Set<UUID>> e : d.slotsHeld.entrySet()) {
        for (UUID slot : e.getValue()) {
          jdbc.sql(
                  "insert into record_slot_booking (slot_id, appointment_id) values (?, ?)"
                      + " on conflict do nothing")
              .params(slot, e.getKey())
              .update();
        }
      }
    }
  }

  /**
   * An appointment that holds Slots must lie within their combined time, from the earliest slot's
   * start to the latest one's end (several adjoining slots make one longer visit); runs after
   * {@link #syncSlots}, which has made sure the slots exist.
   */
  private void requireWithinSlots(Derived d) {
    for (Map.Entry<UUID, Set<UUID>> e : d.slotsHeld.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      org.hl7.fhir.r4.model.Appointment a = d.appointments.get(e.getKey());
      if (!a.hasStart() || !a.hasEnd()) {
        throw new IllegalArgumentException(
            "Appointment.start and Appointment.end are required when it takes a Slot");
      }
      Instant[] span =
          jdbc.sql(
                  "select min(lower(during)), max(upper(during)) from record_slot"
                      + " where resource_id = any(?)")
              .param(e.getValue().toArray(UUID[]::new))
              .query(
                  (rs, n) -> {
                    OffsetDateTime from = rs.getObject(1, OffsetDateTime.class);
                    OffsetDateTime to = rs.getObject(2, OffsetDateTime.class);
                    return from == null
                        ? new Instant[0]
                        : new Instant[] {from.toInstant(), to.toInstant()};
                  })
              .single();
      if (span.length == 0) {
        continue; // its slots were deleted since it took them: nothing left to compare with
      }
      Instant start = a.getStart().toInstant();
      Instant end = a.getEnd().toInstant();
      if (start.isBefore(span[0]) || end.isAfter(span[1])) {
        throw new IllegalArgumentException(
            "Appointment.start and Appointment.end must lie within the time of its Slots ("
                + span[0]
                + " to "
                + span[1]
                + ")");
      }
    }
  }

  /** The Slots an appointment holds now, before a write changes it. */
  private Set<UUID> slotsHeldNow(UUID appointment) {
    return new HashSet<>(
        jdbc.sql("select slot_id from record_slot_booking where appointment_id = ?")
            .param(appointment)
            .query(UUID.class)
            .list());
  }

  /**
   * Books and frees Slots after appointments were written, in their transaction: a Slot an
   * appointment now holds and did not before must be free (else {@link
   * SchedulingConflictException}, also when another appointment took it first in a race) and
   * becomes busy; one it held and no longer does (cancelled, no-show, deleted, moved to another
   * slot) becomes free again. The Slot's new status is written as a new version of the Slot.
   */
  private void syncSlots(Permit permit, Map<UUID, Set<UUID>> before, Map<UUID, Set<UUID>> after) {
    Set<UUID> appointments = new HashSet<>(before.keySet());
    appointments.addAll(after.keySet());
    for (UUID appointment : appointments) {
      Set<UUID> was = before.getOrDefault(appointment, Set.of());
      Set<UUID> is = after.getOrDefault(appointment, Set.of());
      for (UUID slot : was) {
        if (!is.contains(slot)) {
          jdbc.sql("delete from record_slot_booking where slot_id = ? and appointment_id = ?")
              .params(slot, appointment)
              .update();
          setSlotStatus(permit, slot, org.hl7.fhir.r4.model.Slot.SlotStatus.FREE);
        }
      }
      for (UUID slot : is) {
        if (was.contains(slot)) {
          continue;
        }
        try {
          jdbc.sql("insert into record_slot_booking (slot_id, appointment_id) values (?, ?)")
              .params(slot, appointment)
              .update();
        } catch (DataIntegrityViolationException e) {
          if (hasState(e, "23505")) {
            throw new SchedulingConflictException(
                "Slot/" + slot + " is already booked by another appointment");
          }
          throw e;
        }
        Boolean free =
            jdbc.sql(
                    "select s.free from record_slot s join record_resource r on r.id ="
                        + " s.resource_id where s.resource_id = ? and r.deleted_at is null")
                .param(slot)
                .query(Boolean.class)
                .optional()
                .orElse(null);
        if (free == null) {
          throw new IllegalArgumentException("Appointment.slot names a Slot that does not exist");
        }
        if (!free) {
          throw new SchedulingConflictException("Slot/" + slot + " is not free");
        }
        setSlotStatus(permit, slot, org.hl7.fhir.r4.model.Slot.SlotStatus.BUSY);
      }
    }
  }

  private void setSlotStatus(Permit permit, UUID id, org.hl7.fhir.r4.model.Slot.SlotStatus status) {
    Row current = lockCurrent("Slot", id);
    if (current.deletedAt != null) {
      return;
    }
    org.hl7.fhir.r4.model.Slot slot = (org.hl7.fhir.r4.model.Slot) decode(current).resource();
    if (slot.getStatus() == status) {
      return;
    }
    slot.setStatus(status);
    update(permit, id, current.version, slot);
  }

  private static boolean hasState(DataIntegrityViolationException e, String state) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && state.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private void deleteLinks(UUID id) {
    jdbc.sql("delete from record_schedule_actor where schedule_id = ?").param(id).update();
    jdbc.sql("delete from record_slot where resource_id = ?").param(id).update();
    jdbc.sql("delete from record_slot_booking where appointment_id = ?").param(id).update();
    jdbc.sql("delete from record_link where resource_id = ?").param(id).update();
    jdbc.sql("delete from record_booking where resource_id = ?").param(id).update();
    jdbc.sql("delete from record_affiliation where resource_id = ?").param(id).update();
  }

  /**
   * Recomputes the search tokens and relationship rows of these resources from their decrypted
   * current versions, in one transaction; deleted or missing ids are skipped. For {@link
   * SearchReindex}, after the indexing rules changed. Returns how many were rewritten.
   */
  int reindex(List<UUID> ids) {
    return reindexLocked(null, ids) ? ids.size() : 0;
  }

  /**
   * {@link #reindex} under the transaction-scoped advisory lock {@code lock} (none when null);
   * false, with nothing done, when another session holds it.
   */
  boolean reindexLocked(Long lock, List<UUID> ids) {
    Boolean n =
        tx.execute(
            status -> {
              if (lock != null
                  && !Boolean.TRUE.equals(
                      jdbc.sql("select pg_try_advisory_xact_lock(?)")
                          .param(lock)
                          .query(Boolean.class)
                          .single())) {
                return false;
              }
              BlindIndex index = keys.blindIndex();
              List<Object[]> tokens = new ArrayList<>();
              Derived derived = new Derived();
              List<Row> rows =
                  jdbc.sql(
                          "select "
                              + COLUMNS
                              + " from record_resource where id = any(?) and deleted_at is null"
                              + " for update")
                      .param(ids.toArray(UUID[]::new))
                      .query(JdbcRecordStore::row)
                      .list();
              for (Row row : rows) {
                Resource resource = decode(row).resource();
                addTokens(index, row.id, row.type, resource, tokens);
                derived.addLenient(row.id, row.patientId, resource);
              }
              UUID[] done = rows.stream().map(r -> r.id).toArray(UUID[]::new);
              jdbc.sql("delete from record_search_token where resource_id = any(?)")
                  .param(done)
                  .update();
              jdbc.sql("delete from record_link where resource_id = any(?)").param(done).update();
              jdbc.sql("delete from record_affiliation where resource_id = any(?)")
                  .param(done)
                  .update();
              jdbc.sql("delete from record_booking where resource_id = any(?)")
                  .param(done)
                  .update();
              for (String table :
                  List.of(
                      "record_schedule_actor where schedule_id",
                      "record_slot where resource_id",
                      "record_slot_booking where appointment_id")) {
                jdbc.sql("delete from " + table + " = any(?)").param(done).update();
              }
              insertTokens(tokens);
              insertDerived(derived, true);
              return true;
            });
    return Boolean.TRUE.equals(n);
  }

  /**
   * The current, not deleted version of a resource, decrypted, or null; for the relationship checks
   * of the access policy, which need a timed link's period and so run without a permit.
   */
  Resource current(UUID id) {
    return jdbc.sql("select " + COLUMNS + " from record_resource where id = ?")
        .param(id)
        .query(JdbcRecordStore::row)
        .optional()
        .filter(row -> row.deletedAt == null)
        .map(row -> decode(row).resource())
        .orElse(null);
  }

  private void insertTokens(List<Object[]> tokens) {
    if (!tokens.isEmpty()) {
      batch.batchUpdate(
          "insert into record_search_token (resource_id, param, token, year) values (?, ?, ?, ?)",
          tokens,
          new int[] {
            java.sql.Types.OTHER,
            java.sql.Types.VARCHAR,
            java.sql.Types.BINARY,
            java.sql.Types.SMALLINT
          });
    }
  }

  /** Encodes the resource as this version (id and meta set on it) and encrypts it for its place. */
  private byte[] seal(
      FieldCipher cipher, Resource resource, String type, UUID id, long version, Instant at) {
    resource.setId(new IdType(type, id.toString(), Long.toString(version)));
    resource.getMeta().setVersionId(Long.toString(version));
    resource.getMeta().setLastUpdated(Date.from(at));
    String json = fhir.newJsonParser().encodeResourceToString(resource);
    return cipher.encrypt(json.getBytes(StandardCharsets.UTF_8), context(type, id, version));
  }

  private byte[] open(FieldCipher cipher, Row row) {
    try {
      return cipher.decrypt(row.body, context(row.type, row.id, row.version));
    } catch (IntegrityException e) {
      throw new RecordIntegrityException(
          row.type
              + "/"
              + row.id
              + "/_history/"
              + row.version
              + ": the stored body failed its integrity check and was not returned",
          e);
    }
  }

  private StoredResource decode(Row row) {
    byte[] json = open(keys.fieldCipher(), row);
    Resource resource =
        (Resource) fhir.newJsonParser().parseResource(new String(json, StandardCharsets.UTF_8));
    if (!row.type.equals(resource.fhirType())) {
      // Cannot happen without a forged ciphertext that still authenticates; refuse it anyway.
      throw new RecordIntegrityException(
          row.type + "/" + row.id + ": the stored body is of another resource type", null);
    }
    return new StoredResource(
        row.id,
        row.type,
        row.version,
        row.patientId,
        row.createdAt,
        row.createdBy,
        row.updatedAt,
        row.updatedBy,
        row.deletedAt,
        row.deletedBy,
        resource);
  }

  static FieldContext context(String type, UUID id, long version) {
    return FieldContext.of(type, id.toString(), version, BODY);
  }

  static long keyIdOf(byte[] ciphertext) {
    return Integer.toUnsignedLong(FieldCipher.keyIdOf(ciphertext));
  }

  /** The blind-index field (and token-table param) of a parameter in a resource type. */
  private static String field(String type, SearchParameter parameter) {
    return type + "." + parameter.code();
  }

  private static void requireApplies(SearchParameter parameter, String resourceType) {
    if (parameter == null || !parameter.appliesTo(resourceType)) {
      throw new IllegalArgumentException(
          "search parameter "
              + (parameter == null ? "null" : parameter.code())
              + " does not apply to "
              + resourceType);
    }
  }

  private static void requirePermit(Permit permit) {
    if (permit == null) {
      throw new NotPermittedException("the record store needs a permit");
    }
  }

  private static void check(Permit permit, UUID patientId, String type, UUID id) {
    if (!permit.covers(patientId)) {
      throw new NotPermittedException(
          "the permit of " + permit.actor() + " does not cover the patient of " + type + "/" + id);
    }
  }

  private static RecordNotFoundException notFound(String type, UUID id) {
    return new RecordNotFoundException(type + "/" + id + " does not exist");
  }

  /** PostgreSQL keeps microseconds; cut there so what a write returns equals what a read gives. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static OffsetDateTime ts(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static Row row(ResultSet rs, int n) throws SQLException {
    return new Row(
        rs.getObject("id", UUID.class),
        rs.getString("resource_type"),
        rs.getLong("version"),
        rs.getObject("patient_id", UUID.class),
        rs.getBytes("body"),
        instant(rs, "created_at"),
        rs.getString("created_by"),
        instant(rs, "updated_at"),
        rs.getString("updated_by"),
        instant(rs, "deleted_at"),
        rs.getString("deleted_by"));
  }

  /** A row as stored: ciphertext only, so it may print everything but the body. */
  private static final class Row {
    final UUID id;
    final String type;
    final long version;
    final UUID patientId;
    final byte[] body;
    final Instant createdAt;
    final String createdBy;
    final Instant updatedAt;
    final String updatedBy;
    final Instant deletedAt;
    final String deletedBy;

    Row(
        UUID id,
        String type,
        long version,
        UUID patientId,
        byte[] body,
        Instant createdAt,
        String createdBy,
        Instant updatedAt,
        String updatedBy,
        Instant deletedAt,
        String deletedBy) {
      this.id = id;
      this.type = type;
      this.version = version;
      this.patientId = patientId;
      this.body = body;
      this.createdAt = createdAt;
      this.createdBy = createdBy;
      this.updatedAt = updatedAt;
      this.updatedBy = updatedBy;
      this.deletedAt = deletedAt;
      this.deletedBy = deletedBy;
    }

    @Override
    public String toString() {
      return "Row[" + type + "/" + id + "/_history/" + version + "]";
    }
  }

  private static final class Deletion {
    final Instant at;
    final String by;

    Deletion(Instant at, String by) {
      this.at = at;
      this.by = by;
    }
  }

  // ---------------------------------------------------------------- patient of a resource

  @Override
  public Optional<UUID> patientOf(String resourceType, UUID id) {
    return jdbc.sql(
            "select patient_id from record_resource where id = ? and resource_type = ?"
                + " and patient_id is not null")
        .params(id, resourceType)
        .query(UUID.class)
        .optional();
  }

  @Override
  public Optional<UUID> patientOfNew(Resource resource) {
    if ("Patient".equals(ResourceIndexer.supportedType(resource))) {
      return Optional.empty();
    }
    Compartments.Owner owner = Compartments.ownerOf(resource);
    if (owner.patientId() != null || owner.targets().isEmpty()) {
      return Optional.ofNullable(owner.patientId());
    }
    Set<UUID> targetIds = new HashSet<>();
    owner.targets().forEach(t -> targetIds.add(t.id()));
    return Optional.ofNullable(resolve(owner, lookup(targetIds)));
  }

  // ---------------------------------------------------------------- transactions, $everything

  @Override
  public <T> T inTransaction(java.util.function.Supplier<T> work) {
    // The write methods run in the same TransactionTemplate, whose REQUIRED propagation makes them
    // join this one.
    return tx.execute(status -> work.get());
  }

  @Override
  public List<StoredResource> everything(Permit permit, UUID patient, Set<String> types) {
    requirePermit(permit);
    check(permit, patient, "Patient", patient);
    if (types.isEmpty()) {
      return List.of();
    }
    List<Row> rows =
        jdbc.sql(
                "select "
                    + COLUMNS
                    + " from record_resource where patient_id = :patient and deleted_at is null"
                    + " and resource_type = any(:types)"
                    + " order by (resource_type <> 'Patient'), created_at, id")
            .param("patient", patient)
            .param("types", types.toArray(String[]::new))
            .query(JdbcRecordStore::row)
            .list();
    List<StoredResource> out = new ArrayList<>();
    for (Row row : rows) {
      out.add(decode(row));
    }
    return out;
  }

  @Override
  public List<Booking> bookingsStarting(Permit permit, Instant from, Instant to) {
    requirePermit(permit);
    // One row per participant: the appointment's rows share its range, hence the grouping.
    return jdbc
        .sql(
            "select resource_id, patient_id, min(lower(during)) as starts from record_booking"
                + " where holds and lower(during) >= ? and lower(during) < ?"
                + " group by resource_id, patient_id order by starts, resource_id")
        .params(ts(from), ts(to))
        .query(
            (rs, n) ->
                new Booking(
                    rs.getObject("resource_id", UUID.class),
                    rs.getObject("patient_id", UUID.class),
                    instant(rs, "starts")))
        .list()
        .stream()
        .filter(b -> permit.covers(b.patientId()))
        .toList();
  }
}
