package org.phylax.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a page of search results ended: the time and sequence number of its last (oldest) event.
 * Results are ordered by time, then sequence number, both descending; the next page starts below
 * this pair. Opaque to callers: base64url of {@code <epoch micros>.<seq>}.
 */
public record AuditCursor(Instant occurredAt, long seq) {

  public String encode() {
    long micros =
        Math.addExact(
            Math.multiplyExact(occurredAt.getEpochSecond(), 1_000_000L),
            occurredAt.getNano() / 1_000);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((micros + "." + seq).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Reads a cursor made by {@link #encode()}.
   *
   * @throws IllegalArgumentException when the text is not such a cursor
   */
  public static AuditCursor parse(String text) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
      int dot = plain.indexOf('.');
      long micros = Long.parseLong(plain.substring(0, dot));
      long seq = Long.parseLong(plain.substring(dot + 1));
      if (seq < 1) {
        throw new IllegalArgumentException("sequence number below 1");
      }
      return new AuditCursor(
          Instant.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L),
          seq);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the page cursor is not one this audit log handed out");
    }
  }
}
