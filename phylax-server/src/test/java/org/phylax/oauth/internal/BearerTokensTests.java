package org.phylax.oauth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written check accepts exactly the headers Spring's RFC 6750 pattern accepts. */
class BearerTokensTests {

  private static final Pattern RFC_6750 =
      Pattern.compile("^Bearer (?<token>[a-zA-Z0-9-._~+/]+=*)$", Pattern.CASE_INSENSITIVE);

  @Test
  void wellFormedWhenHeadersOfEveryShapeThenTheSameTokenAsTheRfcPattern() {
    List<String> headers =
        List.of(
            "Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
            "bearer abc",
            "BEARER a-b.c_d~e+f/g==",
            "Bearer abc=",
            "Bearer =abc",
            "Bearer ",
            "Bearer",
            "Bearer  abc",
            "Bearer abc def",
            "Bearer abc=def",
            "Bearer abc\t",
            "Bearer ab%c",
            "Basic dXNlcjpwYXNz",
            "Bearerabc",
            "Bearer é");
    for (String header : headers) {
      Matcher m = RFC_6750.matcher(header);
      String expected = m.matches() ? m.group("token") : null;
      assertThat(BearerTokens.wellFormed(header)).as(header).isEqualTo(expected);
    }
    assertThat(BearerTokens.wellFormed(null)).isNull();
    // Every ASCII character in the token's place.
    for (char c = 0; c < 128; c++) {
      String header = "Bearer a" + c + "b";
      Matcher m = RFC_6750.matcher(header);
      assertThat(BearerTokens.wellFormed(header))
          .as("character %d", (int) c)
          .isEqualTo(m.matches() ? m.group("token") : null);
    }
  }
}
