package org.phylax.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The firewall's header check without a regex agrees with Spring Security's default pattern. */
class HeaderFirewallTests {

  private static final Pattern DEFAULT = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");

  @Test
  void assignedAndNotControlWhenAnyCodePointThenSameAnswerAsTheDefaultPattern() {
    int refused = 0;
    for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
      String one = new String(Character.toChars(c));
      boolean expected = DEFAULT.matcher(one).matches();
      assertThat(WebSecurityConfiguration.assignedAndNotControl(one))
          .as("U+%04X", c)
          .isEqualTo(expected);
      if (!expected) {
        refused++;
      }
    }
    assertThat(refused).as("control and unassigned code points exist").isGreaterThan(65);
    assertThat(WebSecurityConfiguration.assignedAndNotControl("Bearer abc.DEF-ghi_~+/=")).isTrue();
    assertThat(WebSecurityConfiguration.assignedAndNotControl("text/plain; q=0.9, é, 漢字")).isTrue();
    assertThat(WebSecurityConfiguration.assignedAndNotControl("a\r\nSet-Cookie: x")).isFalse();
    assertThat(WebSecurityConfiguration.assignedAndNotControl("tab\there")).isFalse();
    assertThat(WebSecurityConfiguration.assignedAndNotControl("")).isTrue();
  }
}
