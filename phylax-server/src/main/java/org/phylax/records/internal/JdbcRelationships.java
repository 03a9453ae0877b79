package org.phylax.records.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.RelationshipSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Relationships from {@code record_link} and {@code record_affiliation}, which the record store
 * rewrites in the same transaction as the resource they come from. A link that holds for a period
 * only is confirmed against the decrypted resource, because periods are PHI and stay encrypted.
 */
@Component
class JdbcRelationships implements RelationshipSource {

  private final JdbcClient jdbc;
  private final JdbcRecordStore store;
  private final Duration appointmentWindow;

  JdbcRelationships(
      JdbcClient jdbc,
      JdbcRecordStore store,
      @Value("${phylax.access.appointment-window:7d}") Duration appointmentWindow) {
    if (appointmentWindow.isNegative() || appointmentWindow.compareTo(Duration.ofDays(90)) > 0) {
      throw new IllegalArgumentException(
          "phylax.access.appointment-window must be between 0 and 90d");
    }
    this.jdbc = jdbc;
    this.store = store;
    this.appointmentWindow = appointmentWindow;
  }

  /**
   * The appointments of a patient with any of {@code actorIds} whose time, widened by the window on
   * both sides, contains {@code at}.
   */
  private void appointments(UUID patientId, Set<UUID> actorIds, Instant at, List<Link> out) {
    jdbc.sql(
            "select distinct resource_id from record_booking where patient_id = ?"
                + " and actor_id = any(?) and during && tstzrange(?, ?, '[]')")
        .params(
            patientId,
            actorIds.toArray(UUID[]::new),
            OffsetDateTime.ofInstant(at.minus(appointmentWindow), ZoneOffset.UTC),
            OffsetDateTime.ofInstant(at.plus(appointmentWindow), ZoneOffset.UTC))
        .query((rs, n) -> out.add(new Link(Kind.APPOINTMENT, rs.getObject(1, UUID.class))))
        .list();
  }

  @Override
  public Set<UUID> identitiesOf(UUID practitionerId, Instant at) {
    Set<UUID> ids = new LinkedHashSet<>();
    if (practitionerId == null) {
      return ids;
    }
    ids.add(practitionerId);
    jdbc.sql(
            "select resource_id, organization_id, timed from record_affiliation"
                + " where practitioner_id = ?")
        .param(practitionerId)
        .query(
            (rs, n) -> {
              UUID role = rs.getObject("resource_id", UUID.class);
              UUID organization = rs.getObject("organization_id", UUID.class);
              if (!rs.getBoolean("timed") || holds(role, null, practitionerId, at)) {
                ids.add(role);
                if (organization != null) {
                  ids.add(organization);
                }
              }
              return null;
            })
        .list();
    return ids;
  }

  @Override
  public List<Link> linksOfPractitioner(UUID patientId, UUID practitionerId, Instant at) {
    List<Link> out = new ArrayList<>();
    if (patientId == null || practitionerId == null) {
      return out;
    }
    // Each link to the practitioner itself, or to one of its roles or their organizations, with
    // the role that reaches it (null when direct).
    jdbc.sql(
            """
            select l.resource_id, l.kind, l.actor_id, l.timed,
                   a.resource_id as via, coalesce(a.timed, false) as via_timed
            from record_link l
            left join record_affiliation a
              on a.practitioner_id = :practitioner
             and (l.actor_id = a.resource_id or l.actor_id = a.organization_id)
            where l.patient_id = :patient
              and (l.actor_id = :practitioner or a.resource_id is not null)
            """)
        .param("practitioner", practitionerId)
        .param("patient", patientId)
        .query(
            (rs, n) -> {
              UUID resource = rs.getObject("resource_id", UUID.class);
              String kind = rs.getString("kind");
              UUID via = rs.getObject("via", UUID.class);
              boolean reached =
                  via == null
                      || !rs.getBoolean("via_timed")
                      || holds(via, null, practitionerId, at);
              if (reached
                  && (!rs.getBoolean("timed")
                      || holds(resource, kind, rs.getObject("actor_id", UUID.class), at))) {
                out.add(new Link(kind(kind), resource));
              }
              return null;
            })
        .list();
    // A booking of one of the practitioner's PractitionerRoles carries a row for the practitioner
    // as well (written with it), so the practitioner's own id finds every appointment, without
    // the query and decryptions of identitiesOf on this hot path.
    appointments(patientId, Set.of(practitionerId), at, out);
    return out;
  }

  @Override
  public List<Link> linksOf(UUID patientId, Set<UUID> actorIds, Instant at) {
    List<Link> out = new ArrayList<>();
    if (patientId == null || actorIds.isEmpty()) {
      return out;
    }
    jdbc.sql(
            "select resource_id, kind, actor_id, timed from record_link"
                + " where patient_id = ? and actor_id = any(?)")
        .params(patientId, actorIds.toArray(UUID[]::new))
        .query(
            (rs, n) -> {
              UUID resource = rs.getObject("resource_id", UUID.class);
              String kind = rs.getString("kind");
              if (!rs.getBoolean("timed")
                  || holds(resource, kind, rs.getObject("actor_id", UUID.class), at)) {
                out.add(new Link(kind(kind), resource));
              }
              return null;
            })
        .list();
    appointments(patientId, actorIds, at, out);
    return out;
  }

  @Override
  public boolean patientExists(UUID patientId) {
    return patientId != null
        && jdbc.sql(
                    "select count(*) from record_resource where id = ? and resource_type = 'Patient'"
                        + " and deleted_at is null")
                .param(patientId)
                .query(Long.class)
                .single()
            > 0;
  }

  @Override
  public Map<UUID, Set<Kind>> patientsLinkedTo(Set<UUID> actorIds, Instant at) {
    Map<UUID, Set<Kind>> out = new HashMap<>();
    if (actorIds.isEmpty()) {
      return out;
    }
    jdbc.sql(
            "select resource_id, patient_id, kind, actor_id, timed from record_link"
                + " where actor_id = any(?)")
        .param(actorIds.toArray(UUID[]::new))
        .query(
            (rs, n) -> {
              UUID resource = rs.getObject("resource_id", UUID.class);
              String kind = rs.getString("kind");
              if (!rs.getBoolean("timed")
                  || holds(resource, kind, rs.getObject("actor_id", UUID.class), at)) {
                out.computeIfAbsent(
                        rs.getObject("patient_id", UUID.class), k -> EnumSet.noneOf(Kind.class))
                    .add(kind(kind));
              }
              return null;
            })
        .list();
    jdbc.sql(
            "select distinct patient_id from record_booking where actor_id = any(?)"
                + " and during && tstzrange(?, ?, '[]')")
        .params(
            actorIds.toArray(UUID[]::new),
            OffsetDateTime.ofInstant(at.minus(appointmentWindow), ZoneOffset.UTC),
            OffsetDateTime.ofInstant(at.plus(appointmentWindow), ZoneOffset.UTC))
        .query(
            (rs, n) ->
                out.computeIfAbsent(rs.getObject(1, UUID.class), k -> EnumSet.noneOf(Kind.class))
                    .add(Kind.APPOINTMENT))
        .list();
    return out;
  }

  private boolean holds(UUID resourceId, String kind, UUID actorId, Instant at) {
    Resource resource = store.current(resourceId);
    return resource != null && Links.inForce(resource, kind, actorId, at);
  }

  private static Kind kind(String stored) {
    return Kind.valueOf(stored.toUpperCase(Locale.ROOT));
  }
}
