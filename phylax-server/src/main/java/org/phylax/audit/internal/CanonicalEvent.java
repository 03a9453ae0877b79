package org.phylax.audit.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
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

  // A plain array rather than a ByteArrayOutputStream, whose synchronized writes were most of the
  // cost of encoding (and so of verifying) an event.
  private byte[] out = new byte[512];
  private int length;

  private CanonicalEvent() {
    write(TAG);
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
    return Arrays.copyOf(c.out, c.length);
  }

  private void field(String value) {
    if (value == null) {
      writeInt(-1);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    writeInt(bytes.length);
    write(bytes);
  }

  private void writeInt(int v) {
    room(4);
    out[length++] = (byte) (v >>> 24);
    out[length++] = (byte) (v >>> 16);
    out[length++] = (byte) (v >>> 8);
    out[length++] = (byte) v;
  }

  private void write(byte[] bytes) {
    room(bytes.length);
    System.arraycopy(bytes, 0, out, length, bytes.length);
    length += bytes.length;
  }

  private void room(int more) {
    if (length + more > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, length + more));
    }
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
