package org.phylax.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phylax.crypto.AuditChain;

/**
 * The bytes the chain hash covers, as docs/audit.md defines them: the tag, then 17 fields each as a
 * 4-byte big-endian length and UTF-8 bytes, or 0xFFFFFFFF for an absent value. The expected bytes
 * are built here from that definition, independently of the encoder.
 */
class CanonicalEventTests {

  private static CanonicalEvent.StoredEvent everyField() {
    CanonicalEvent.StoredEvent e = new CanonicalEvent.StoredEvent();
    e.seq = 1234567;
    e.occurredAt = Instant.parse("2026-11-25T10:00:00.000042Z");
    e.actorUser = "user-7";
    e.actorRole = "physician";
    e.clientId = "phylax-web";
    e.sourceIp = "10.20.30.40";
    e.userAgent = "Mozilla/5.0 (synthetic; ü)";
    e.requestId = "req-1";
    e.action = "BREAK_GLASS";
    e.entityType = "Observation";
    e.entityId = "o-9";
    e.entityVersion = 3L;
    e.patientId = UUID.fromString("0F8FAD5B-D9CB-469F-A165-70867728950E");
    e.purposeOfUse = "ETREAT";
    e.outcome = "PERMIT";
    e.outcomeReason = "break-glass: emergency";
    e.justification = new byte[] {0, 1, 2, (byte) 0xfe, (byte) 0xff};
    return e;
  }

  private static byte[] expected(String... fields) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write("phylax.audit.v1".getBytes(StandardCharsets.US_ASCII));
    for (String field : fields) {
      if (field == null) {
        out.writeInt(0xFFFFFFFF);
      } else {
        byte[] utf8 = field.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void encodeWhenEveryFieldIsSetThenTagAndSeventeenLengthPrefixedFieldsInOrder() throws Exception {
    byte[] encoded = CanonicalEvent.encode(everyField());

    assertThat(encoded)
        .isEqualTo(
            expected(
                "1234567",
                "2026-11-25T10:00:00.000042Z",
                "user-7",
                "physician",
                "phylax-web",
                "10.20.30.40",
                "Mozilla/5.0 (synthetic; ü)",
                "req-1",
                "BREAK_GLASS",
                "Observation",
                "o-9",
                "3",
                "0f8fad5b-d9cb-469f-a165-70867728950e",
                "ETREAT",
                "PERMIT",
                "break-glass: emergency",
                "AAEC/v8="));
  }

  @Test
  void encodeWhenOptionalFieldsAreAbsentThenEachIsTheLengthFFFFFFFFAlone() throws Exception {
    CanonicalEvent.StoredEvent e = new CanonicalEvent.StoredEvent();
    e.seq = 1;
    e.occurredAt = Instant.parse("1999-01-02T03:04:05Z");
    e.action = "LOGIN";
    e.outcome = "FAILURE";

    assertThat(CanonicalEvent.encode(e))
        .isEqualTo(
            expected(
                "1",
                "1999-01-02T03:04:05.000000Z",
                null,
                null,
                null,
                null,
                null,
                null,
                "LOGIN",
                null,
                null,
                null,
                null,
                null,
                "FAILURE",
                null,
                null));
  }

  @Test
  void encodeWhenAFieldIsLongerThanTheUsualEventThenItIsWhole() throws Exception {
    CanonicalEvent.StoredEvent e = new CanonicalEvent.StoredEvent();
    e.seq = 2;
    e.occurredAt = Instant.parse("2026-01-01T00:00:00Z");
    e.userAgent = "x".repeat(5000);
    e.action = "READ";
    e.outcome = "DENY";

    assertThat(CanonicalEvent.encode(e))
        .isEqualTo(
            expected(
                "2",
                "2026-01-01T00:00:00.000000Z",
                null,
                null,
                null,
                null,
                "x".repeat(5000),
                null,
                "READ",
                null,
                null,
                null,
                null,
                null,
                "DENY",
                null,
                null));
  }

  @Test
  void linkWhenFirstEventThenKnownAnswer() {
    // SHA-256(32 zero bytes || canonical bytes of everyField()), computed with Python's hashlib
    // from the definition in docs/audit.md.
    assertThat(
            HexFormat.of()
                .formatHex(
                    AuditChain.link(AuditChain.genesis(), CanonicalEvent.encode(everyField()))))
        .isEqualTo("fd5cc7395cbe8d5cc3ea3f16cbabdaf1bdaabd52b05a3f6aa53c547381315aed");
  }
}
