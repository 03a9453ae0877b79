package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AuditChainTests {

  // Synthetic events; the canonical form is the audit module's, any fixed bytes do here.
  private static final byte[] EVENT_1 =
      "{\"action\":\"record.read\",\"actor\":\"user-0001\",\"seq\":1}"
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] EVENT_2 =
      "{\"action\":\"record.update\",\"actor\":\"user-0002\",\"seq\":2}"
          .getBytes(StandardCharsets.UTF_8);

  @Test
  void genesisThenIs32ZeroBytesAndCallersCannotChangeIt() {
    byte[] genesis = AuditChain.genesis();
    genesis[0] = 1;

    assertThat(AuditChain.genesis()).hasSize(32).containsOnly(0);
  }

  @Test
  void linkWhenFirstTwoEventsThenMatchesHashesComputedOutsideJava() {
    // Computed with: (head -c 32 /dev/zero; printf '%s' "$EVENT_1") | sha256sum,
    // and for the second, Python's hashlib over the first hash's bytes followed by EVENT_2.
    byte[] first = AuditChain.link(AuditChain.genesis(), EVENT_1);
    byte[] second = AuditChain.link(first, EVENT_2);

    assertThat(HexFormat.of().formatHex(first))
        .isEqualTo("7b184f8c295f2f21ee265807da1ff61fcde862d1c31a5769136c74084a3f7346");
    assertThat(HexFormat.of().formatHex(second))
        .isEqualTo("3e03af25ed1fb6e05a9dce7280ed45a5a7849ac6e3b9bec50522b4b4b3b8e769");
  }

  @Test
  void linkThenEqualsSha256OfPreviousHashFollowedByEvent() throws Exception {
    byte[] prev = AuditChain.link(AuditChain.genesis(), EVENT_1);
    byte[] joined = new byte[prev.length + EVENT_2.length];
    System.arraycopy(prev, 0, joined, 0, prev.length);
    System.arraycopy(EVENT_2, 0, joined, prev.length, EVENT_2.length);

    assertThat(AuditChain.link(prev, EVENT_2))
        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(joined));
  }

  @Test
  void linkWhenEarlierEventEditedThenLaterHashChanges() {
    byte[] edited = EVENT_1.clone();
    edited[edited.length - 2] = '2';

    byte[] honest = AuditChain.link(AuditChain.link(AuditChain.genesis(), EVENT_1), EVENT_2);
    byte[] tampered = AuditChain.link(AuditChain.link(AuditChain.genesis(), edited), EVENT_2);

    assertThat(tampered).isNotEqualTo(honest);
  }

  @Test
  void linkWhenPreviousHashNot32BytesThenRefuses() {
    assertThatThrownBy(() -> AuditChain.link(new byte[31], EVENT_1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> AuditChain.link(new byte[0], EVENT_1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
