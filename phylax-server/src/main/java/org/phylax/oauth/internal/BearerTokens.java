package org.phylax.oauth.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/**
 * Finds the bearer token of a request as Spring Security's resolver does (RFC 6750's {@code
 * Authorization: Bearer <b64token>}, the scheme in any case; no token in the query or a form), but
 * checks a well-formed header character by character instead of with a regular expression, which
 * cost about 1 % of the server's CPU on every request. Anything else (no header, another scheme, a
 * malformed token) goes to Spring's resolver, so its answers and errors stay the same.
 */
final class BearerTokens implements BearerTokenResolver {

  private static final String SCHEME = "Bearer ";

  private final DefaultBearerTokenResolver spring = new DefaultBearerTokenResolver();

  @Override
  public String resolve(HttpServletRequest request) {
    String token = wellFormed(request.getHeader("Authorization"));
    return token != null ? token : spring.resolve(request);
  }

  /** The token of a well-formed {@code Bearer} header, or null for anything else. */
  static String wellFormed(String header) {
    if (header == null
        || header.length() <= SCHEME.length()
        || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return null;
    }
    int i = SCHEME.length();
    int end = header.length();
    int start = i;
    while (i < end && b64tokenChar(header.charAt(i))) {
      i++;
    }
    if (i == start) {
      return null;
    }
    while (i < end && header.charAt(i) == '=') {
      i++;
    }
    return i == end ? header.substring(start) : null;
  }

  private static boolean b64tokenChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~'
        || c == '+'
        || c == '/';
  }
}
