package org.phylax.web.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser without a browser, over java.net.http: keeps the session cookie by hand (so tests can
 * read and swap it), follows no redirects, and sends the CSRF token of the last page it read.
 */
final class FormClient {

  static final String COOKIE = "PHYLAX_SESSION";
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final String base;
  private final String userAgent;
  private String session;
  private String csrf;
  private HttpResponse<String> last;

  FormClient(String base, String userAgent) {
    this.base = base;
    this.userAgent = userAgent;
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = request(path).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request);
  }

  /** POSTs the form with the CSRF token of the last page read. */
  HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
    Map<String, String> fields = new LinkedHashMap<>(form);
    if (csrf != null) {
      fields.put("_csrf", csrf);
    }
    return postWithoutCsrf(path, fields);
  }

  HttpResponse<String> postWithoutCsrf(String path, Map<String, String> form) throws Exception {
    String body =
        form.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return send(
        request(path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** Password, then (when the user has one) the TOTP code: the home page's response. */
  HttpResponse<String> signIn(WebTestServer.User user, String code) throws Exception {
    get("/login");
    HttpResponse<String> answer =
        post("/login", Map.of("username", user.username(), "password", WebTestServer.PASSWORD));
    if (code != null) {
      get("/login/mfa");
      answer = post("/login/mfa", Map.of("code", code));
    }
    if (answer.statusCode() != 302) {
      throw new AssertionError("sign-in did not complete: " + answer.statusCode());
    }
    return answer;
  }

  String session() {
    return session;
  }

  void session(String value) {
    session = value;
  }

  HttpResponse<String> last() {
    return last;
  }

  /** The Set-Cookie header of the session cookie in a response, if any. */
  static String sessionCookieHeader(HttpResponse<?> response) {
    List<String> all = response.headers().allValues("Set-Cookie");
    return all.stream().filter(c -> c.startsWith(COOKIE + "=")).findFirst().orElse(null);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).header("User-Agent", userAgent);
    if (session != null) {
      request.header("Cookie", COOKIE + "=" + session);
    }
    return request;
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    String cookie = sessionCookieHeader(response);
    if (cookie != null) {
      String value = cookie.substring(COOKIE.length() + 1, cookie.indexOf(';'));
      session = value.isEmpty() || cookie.contains("Max-Age=0") ? null : value;
    }
    Matcher m = CSRF.matcher(response.body());
    if (m.find()) {
      csrf = m.group(1);
    }
    last = response;
    return response;
  }
}
