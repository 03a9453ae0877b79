package org.phylax.audit.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.UUID;

/**
 * The canonical bytes of a stored audit event, which its chain hash covers (docs/audit.md). The
 * ASCII tag {@code phylax.audit.v1}, then 17 fields in a fixed order, each as a 4-byte big-endian
 * length and that many UTF-8 bytes, or the length 0xFFFFFFFF alone for an absent value: seq,
 * occurred_at (UTC, {@code uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'}), actor_user, actor_role, client_id,
 * source_ip, user_agent, request_id, action, entity_type, entity_id, entity_version, patient_id
 * (lower-case), purpose_of_use, outcome, outcome_reason, justification (base64 of its ciphertext).
 * Numbers are decimal.
 */
final class CanonicalEvent {

  private static final byte[] TAG = "phylax.audit.v1".getBytes(StandardCharsets.US_ASCII);
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

  private CanonicalEvent() {
    out.writeBytes(TAG);
  }

  static byte[] encode(StoredEvent e) {
    CanonicalEvent c = new CanonicalEvent();
    c.field(Long.toString(e.seq));
    c.field(TIME.format(e.occurredAt));
    c.field(e.actorUser);
    c.field(e.actorRole);
    c.field(e.clientId);
    c.field(e.sourceIp);
    c.field(e.userAgent);
    c.field(e.requestId);
    c.field(e.action);
    c.field(e.entityType);
    c.field(e.entityId);
    c.field(e.entityVersion == null ? null : Long.toString(e.entityVersion));
    c.field(e.patientId == null ? null : e.patientId.toString());
    c.field(e.purposeOfUse);
    c.field(e.outcome);
    c.field(e.outcomeReason);
    c.field(e.justification == null ? null : Base64.getEncoder().encodeToString(e.justification));
    return c.out.toByteArray();
  }

  private void field(String value) {
    if (value == null) {
      writeInt(-1);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    writeInt(bytes.length);
    out.writeBytes(bytes);
  }

  private void writeInt(int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  /** An event as stored: what the chain hash covers, plus its links. */
  static final class StoredEvent {
    long seq;
    Instant occurredAt;
    String actorUser;
    String actorRole;
    String clientId;
    String sourceIp;
    String userAgent;
    String requestId;
    String action;
    String entityType;
    String entityId;
    Long entityVersion;
    UUID patientId;
    String purposeOfUse;
    String outcome;
    String outcomeReason;
    byte[] justification;
    byte[] prevHash;
    byte[] hash;

    @Override
    public String toString() {
      return "StoredEvent[seq=" + seq + ", action=" + action + "]";
    }
  }
}
