package org.phylax.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Group;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessDeniedException;
import org.phylax.access.AccessGate;
import org.phylax.access.AccessRequest;
import org.phylax.access.Permit;
import org.phylax.access.Subject;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.FieldContext;
import org.phylax.identity.Accounts;
import org.phylax.identity.ClientInfo;
import org.phylax.keys.DataKeys;
import org.phylax.records.RecordExport;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs FHIR bulk exports in the background, a page of resources at a time, with the job's state in
 * {@code fhir_export_job} (so that a restarted server goes on from the last page written) and its
 * NDJSON files, encrypted part by part, in {@code fhir_export_file}. Access is decided at kick-off
 * with {@link AccessGate#search} per type (and again on resume); when the job has written
 * everything, each patient whose data it holds gets one {@code EXPORT} audit event, and only then
 * can the files be downloaded — by the token subject that asked, until they expire and the sweeper
 * deletes them. A Group-level export is limited to the Group's member Patients, read when it starts
 * (and again on resume), among those the caller may see.
 */
@Component
@ConditionalOnWebApplication
class BulkExportJobs {

  private static final Logger log = LoggerFactory.getLogger(BulkExportJobs.class);

  static final String PLACE = "BulkExport";

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final DataKeys keys;
  private final RecordExport records;
  private final RecordStore store;
  private final AccessGate gate;
  private final Accounts accounts;
  private final FhirContext fhir;
  private final Clock clock;
  private final Duration expiry;
  private final int pageSize;
  private final ExecutorService executor;

  BulkExportJobs(
      JdbcTemplate jdbc,
      TransactionTemplate tx,
      DataKeys keys,
      RecordExport records,
      RecordStore store,
      AccessGate gate,
      Accounts accounts,
      FhirContext fhir,
      ObjectProvider<Clock> clock,
      @Value("${phylax.fhir.export-expiry:PT1H}") Duration expiry,
      @Value("${phylax.fhir.export-threads:2}") int threads,
      @Value("${phylax.fhir.export-page:500}") int page) {
    if (expiry.isNegative() || expiry.isZero() || expiry.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          "phylax.fhir.export-expiry must be above 0 and at most 1 day");
    }
    this.jdbc = jdbc;
    this.tx = tx;
    this.keys = keys;
    this.records = records;
    this.store = store;
    this.gate = gate;
    this.accounts = accounts;
    this.fhir = fhir;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
    this.expiry = expiry;
    if (page < 1 || page > 10_000) {
      throw new IllegalArgumentException("phylax.fhir.export-page must be 1 to 10000");
    }
    // Resources read, and written as one encrypted part, at a time.
    this.pageSize = page;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(threads, 8)),
            r -> {
              Thread t = new Thread(r, "fhir-export-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** The level an export was asked at. */
  enum Level {
    SYSTEM,
    PATIENT,
    GROUP
  }

  /** A job as its owner sees it when polling. */
  record Status(
      UUID id,
      String state,
      String request,
      List<String> types,
      int typeIndex,
      long exported,
      String error,
      Instant createdAt,
      Instant expiresAt,
      Map<String, Integer> counts) {}

  /**
   * Starts an export: decides access for each type now (audited; a refusal throws), records the job
   * and hands it to the executor.
   *
   * @throws AccessDeniedException when the caller may not export one of the types
   */
  UUID start(
      FhirCallers.Caller caller,
      Level level,
      List<String> types,
      Instant since,
      String request,
      UUID group) {
    if ((level == Level.GROUP) != (group != null)) {
      throw new IllegalArgumentException("a Group-level export, and only that, names its Group");
    }
    UUID id = UUID.randomUUID();
    Set<UUID> members = group == null ? null : members(caller.subject(), caller.client(), group);
    Map<String, AccessGate.SearchScope> scopes =
        scopes(caller.subject(), caller.client(), id, types, members);
    Subject subject = caller.subject();
    Instant now = now();
    jdbc.update(
        "insert into fhir_export_job (id, owner, owner_scopes, level, types, since, request,"
            + " status, created_at, group_id) values (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)",
        id,
        subject.actor(),
        subject.isService() ? String.join(" ", subject.scopes()) : "",
        level.name().toLowerCase(java.util.Locale.ROOT),
        String.join(",", types),
        since == null ? null : Timestamp.from(since),
        request,
        Timestamp.from(now),
        group);
    submit(id, subject, caller.client(), scopes, members);
    return id;
  }

  private Map<String, AccessGate.SearchScope> scopes(
      Subject subject, ClientInfo client, UUID job, List<String> types, Set<UUID> members) {
    Map<String, AccessGate.SearchScope> scopes = new LinkedHashMap<>();
    for (String type : types) {
      scopes.put(type, gate.search(request(subject, client, type, job, members)));
    }
    return scopes;
  }

  /**
   * A Group-level export is a search limited to the Group's members: the scope is those members the
   * subject may see, so the others' records are neither read nor decrypted nor named anywhere.
   */
  private static AccessRequest request(
      Subject subject, ClientInfo client, String type, UUID job, Set<UUID> members) {
    return AccessRequest.of(subject, AccessAction.EXPORT, type)
        .resource(job.toString())
        .client(client)
        .among(members)
        .build();
  }

  /**
   * The Patients a Group lists as its members (not marked inactive), read as the subject: reading
   * the Group is an access like any other, decided and audited (a refusal throws).
   *
   * @throws org.phylax.records.RecordNotFoundException when there is no such Group
   */
  Set<UUID> members(Subject subject, ClientInfo client, UUID group) {
    Permit permit =
        gate.enter(
            AccessRequest.of(subject, AccessAction.READ, "Group")
                .resource(group.toString())
                .client(client)
                .build());
    Group read = (Group) store.read(permit, "Group", group).resource();
    Set<UUID> members = new HashSet<>();
    for (Group.GroupMemberComponent member : read.getMember()) {
      String reference = member.getEntity().getReference();
      if (member.getInactive() || reference == null || !reference.startsWith("Patient/")) {
        continue;
      }
      UUID patient = FhirTypes.uuid(reference.substring("Patient/".length()));
      if (patient != null) {
        members.add(patient);
      }
    }
    return members;
  }

  /** The job if {@code owner} (a token subject's actor) started it; empty otherwise. */
  Optional<Status> status(UUID id, String owner) {
    List<Status> found =
        jdbc.query(
            "select id, status, request, types, type_index, exported, error, created_at,"
                + " expires_at from fhir_export_job where id = ? and owner = ?",
            (rs, n) ->
                new Status(
                    rs.getObject("id", UUID.class),
                    rs.getString("status"),
                    rs.getString("request"),
                    List.of(rs.getString("types").split(",")),
                    rs.getInt("type_index"),
                    rs.getLong("exported"),
                    rs.getString("error"),
                    instant(rs.getObject("created_at", OffsetDateTime.class)),
                    instant(rs.getObject("expires_at", OffsetDateTime.class)),
                    new LinkedHashMap<>()),
            id,
            owner);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Status status = found.get(0);
    jdbc.query(
        "select resource_type, sum(count) as n from fhir_export_file where job_id = ?"
            + " group by resource_type",
        rs -> {
          status.counts().put(rs.getString("resource_type"), rs.getInt("n"));
        },
        id);
    return Optional.of(status);
  }

  /** Cancels a running job or deletes a finished one, with its files; false if not the owner's. */
  boolean delete(UUID id, String owner) {
    return jdbc.update("delete from fhir_export_job where id = ? and owner = ?", id, owner) > 0;
  }

  /**
   * Writes the NDJSON file of one type of a complete job of {@code owner}, decrypting part by part.
   *
   * @return false (nothing written) when there is no such file for this owner
   */
  boolean writeFile(UUID id, String owner, String type, OutputStreamSupplier out)
      throws IOException {
    Integer complete =
        jdbc.queryForObject(
            "select count(*) from fhir_export_job where id = ? and owner = ? and status ="
                + " 'complete'",
            Integer.class,
            id,
            owner);
    if (complete == null || complete == 0) {
      return false;
    }
    List<Integer> parts =
        jdbc.queryForList(
            "select part from fhir_export_file where job_id = ? and resource_type = ? order by"
                + " part",
            Integer.class,
            id,
            type);
    if (parts.isEmpty()) {
      return false;
    }
    FieldCipher cipher = keys.fieldCipher();
    OutputStream stream = out.open();
    for (int part : parts) {
      byte[] body =
          jdbc.queryForObject(
              "select body from fhir_export_file where job_id = ? and resource_type = ? and"
                  + " part = ?",
              byte[].class,
              id,
              type,
              part);
      stream.write(cipher.decrypt(body, place(id, type, part)));
    }
    stream.flush();
    return true;
  }

  /** Opens the response only once there is something to send. */
  interface OutputStreamSupplier {
    OutputStream open() throws IOException;
  }

  static String fileName(String type) {
    return type + ".ndjson";
  }

  static FieldContext place(UUID job, String type, int part) {
    return FieldContext.of(PLACE, job.toString(), part, fileName(type));
  }

  // ---------------------------------------------------------------- the background work

  private void submit(
      UUID id,
      Subject subject,
      ClientInfo client,
      Map<String, AccessGate.SearchScope> scopes,
      Set<UUID> members) {
    executor.execute(
        () -> {
          try {
            run(id, subject, client, scopes, members);
          } catch (RuntimeException e) {
            log.warn("FHIR export {} failed: {}", id, e.getClass().getName());
            fail(id, "The export failed; the request id of its kick-off finds it in the log.");
          }
        });
  }

  private void run(
      UUID id,
      Subject subject,
      ClientInfo client,
      Map<String, AccessGate.SearchScope> scopes,
      Set<UUID> members) {
    IParser parser = fhir.newJsonParser().setPrettyPrint(false);
    while (true) {
      Cursor cursor = cursor(id);
      if (cursor == null) {
        return; // cancelled (deleted) or finished elsewhere
      }
      if (cursor.typeIndex >= cursor.types.size()) {
        finish(id, subject, client, scopes, cursor, members);
        return;
      }
      String type = cursor.types.get(cursor.typeIndex);
      AccessGate.SearchScope scope = scopes.get(type);
      List<StoredResource> page =
          records.page(scope.permit(), type, cursor.since, cursor.after, pageSize);
      boolean last = page.size() < pageSize;
      UUID nextAfter = last ? null : page.get(page.size() - 1).id();
      int nextIndex = last ? cursor.typeIndex + 1 : cursor.typeIndex;
      byte[] ndjson = ndjson(parser, page);
      Boolean going =
          tx.execute(
              s -> {
                int moved =
                    jdbc.update(
                        "update fhir_export_job set type_index = ?, after_id = ?, exported ="
                            + " exported + ? where id = ? and status = 'running' and type_index"
                            + " = ? and after_id is not distinct from ?",
                        nextIndex,
                        nextAfter,
                        page.size(),
                        id,
                        cursor.typeIndex,
                        cursor.after);
                if (moved == 0) {
                  return false;
                }
                if (!page.isEmpty()) {
                  Integer part =
                      jdbc.queryForObject(
                          "select coalesce(max(part), 0) + 1 from fhir_export_file where job_id"
                              + " = ? and resource_type = ?",
                          Integer.class,
                          id,
                          type);
                  byte[] body = keys.fieldCipher().encrypt(ndjson, place(id, type, part));
                  jdbc.update(
                      "insert into fhir_export_file (job_id, resource_type, part, count, body,"
                          + " key_id) values (?, ?, ?, ?, ?, ?)",
                      id,
                      type,
                      part,
                      page.size(),
                      body,
                      Integer.toUnsignedLong(FieldCipher.keyIdOf(body)));
                  Set<UUID> patients = new HashSet<>();
                  for (StoredResource r : page) {
                    if (r.patientId() != null) {
                      patients.add(r.patientId());
                    }
                  }
                  jdbc.batchUpdate(
                      "insert into fhir_export_patient (job_id, patient_id, resource_type)"
                          + " values (?, ?, ?) on conflict do nothing",
                      patients.stream().map(p -> new Object[] {id, p, type}).toList());
                }
                return true;
              });
      if (!Boolean.TRUE.equals(going)) {
        return;
      }
    }
  }

  private static byte[] ndjson(IParser parser, List<StoredResource> page) {
    StringBuilder out = new StringBuilder();
    for (StoredResource r : page) {
      out.append(parser.encodeResourceToString(r.resource())).append('\n');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Audits one EXPORT event per patient (with the first type that held their data) before the files
   * become downloadable: if the audit log cannot take them, the job fails and its files go.
   */
  private void finish(
      UUID id,
      Subject subject,
      ClientInfo client,
      Map<String, AccessGate.SearchScope> scopes,
      Cursor cursor,
      Set<UUID> members) {
    Map<String, List<UUID>> byType = new LinkedHashMap<>();
    jdbc.query(
        "select patient_id, resource_type from fhir_export_patient where job_id = ?",
        rs -> {
          byType
              .computeIfAbsent(rs.getString("resource_type"), t -> new ArrayList<>())
              .add(rs.getObject("patient_id", UUID.class));
        },
        id);
    for (String type : cursor.types) {
      List<UUID> patients = byType.get(type);
      if (patients != null) {
        gate.disclosed(request(subject, client, type, id, members), scopes.get(type), patients);
      }
    }
    Instant now = now();
    jdbc.update(
        "update fhir_export_job set status = 'complete', completed_at = ?, expires_at = ?"
            + " where id = ? and status = 'running'",
        Timestamp.from(now),
        Timestamp.from(now.plus(expiry)),
        id);
  }

  private void fail(UUID id, String message) {
    tx.executeWithoutResult(
        s -> {
          jdbc.update("delete from fhir_export_file where job_id = ?", id);
          jdbc.update(
              "update fhir_export_job set status = 'failed', error = ?, expires_at = ? where id"
                  + " = ? and status = 'running'",
              message,
              Timestamp.from(now().plus(expiry)),
              id);
        });
  }

  private Cursor cursor(UUID id) {
    List<Cursor> found =
        jdbc.query(
            "select types, since, type_index, after_id from fhir_export_job where id = ? and"
                + " status = 'running'",
            (rs, n) ->
                new Cursor(
                    Arrays.asList(rs.getString("types").split(",")),
                    instant(rs.getObject("since", OffsetDateTime.class)),
                    rs.getInt("type_index"),
                    rs.getObject("after_id", UUID.class)),
            id);
    return found.isEmpty() ? null : found.get(0);
  }

  private record Cursor(List<String> types, Instant since, int typeIndex, UUID after) {}

  /**
   * Goes on with the jobs a stopped server left running. Access is decided again, as the owner
   * stands now: a disabled account or a client whose scopes no longer cover a type fails the job.
   */
  @EventListener(ApplicationReadyEvent.class)
  void resume() {
    jdbc.query(
        "select id, owner, owner_scopes, types, group_id from fhir_export_job where status ="
            + " 'running'",
        rs -> {
          UUID id = rs.getObject("id", UUID.class);
          String owner = rs.getString("owner");
          String scopes = rs.getString("owner_scopes");
          List<String> types = List.of(rs.getString("types").split(","));
          UUID group = rs.getObject("group_id", UUID.class);
          try {
            Subject subject = subjectOf(owner, scopes);
            if (subject == null) {
              fail(id, "The account that asked for this export no longer exists.");
              return;
            }
            Set<UUID> members = group == null ? null : members(subject, ClientInfo.none(), group);
            submit(
                id,
                subject,
                ClientInfo.none(),
                scopes(subject, ClientInfo.none(), id, types, members),
                members);
          } catch (AccessDeniedException e) {
            fail(id, "Access was refused when the export resumed after a restart.");
          } catch (org.phylax.records.RecordNotFoundException
              | org.phylax.records.RecordDeletedException e) {
            fail(id, "The Group of this export no longer exists.");
          }
        });
  }

  private Subject subjectOf(String owner, String scopes) {
    if (owner.startsWith("client:")) {
      Set<String> granted = new HashSet<>();
      for (String s : scopes.split(" ")) {
        if (!s.isBlank()) {
          granted.add(s);
        }
      }
      return Subject.service(owner.substring("client:".length()), granted);
    }
    UUID account = FhirTypes.uuid(owner);
    return account == null
        ? null
        : accounts.findById(account).map(a -> Subject.user(a, clock.instant())).orElse(null);
  }

  /** Deletes expired jobs with their files (and failed ones, whose expiry is set on failure). */
  @Scheduled(
      fixedDelayString = "${phylax.fhir.export-sweep:PT30S}",
      initialDelayString = "${phylax.fhir.export-sweep:PT30S}")
  void sweep() {
    int n =
        jdbc.update(
            "delete from fhir_export_job where expires_at is not null and expires_at <= ?",
            Timestamp.from(now()));
    if (n > 0) {
      log.info("Deleted {} expired FHIR export job(s) and their files", n);
    }
  }

  @PreDestroy
  void stop() {
    executor.shutdownNow();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static Instant instant(OffsetDateTime value) {
    return value == null ? null : value.toInstant();
  }
}
