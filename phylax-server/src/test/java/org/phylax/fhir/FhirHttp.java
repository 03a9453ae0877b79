package org.phylax.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.phylax.oauth.OAuthClients;

/**
 * The FHIR API's tests talk to a real server over real HTTP through this: requests with a bearer
 * token and FHIR JSON, a backend client's token by client credentials, and the OperationOutcome of
 * an error.
 */
final class FhirHttp {

  static final String FHIR_JSON = "application/fhir+json";

  private final HttpClient http = HttpClient.newHttpClient();
  private final URI base;
  private final String userAgent;

  FhirHttp(URI base, String userAgent) {
    this.base = base;
    this.userAgent = userAgent;
  }

  /** A request to {@code path} (absolute URLs are taken as they are), JSON body or none. */
  HttpResponse<String> send(
      String method, String path, String token, String body, Map<String, String> headers)
      throws Exception {
    URI uri = path.startsWith("http") ? URI.create(path) : base.resolve(path);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(120))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Accept", FHIR_JSON)
            .header("User-Agent", userAgent);
    if (body != null && !headers.containsKey("Content-Type")) {
      b.header("Content-Type", FHIR_JSON);
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    return send(method, path, token, body, Map.of());
  }

  /** An access token of a backend client, by client credentials, for {@code scopes}. */
  String serviceToken(OAuthClients.Registered client, String scopes) throws Exception {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (client.clientId() + ":" + client.clientSecret()).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Basic " + basic)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "grant_type=client_credentials&scope="
                        + URLEncoder.encode(scopes, StandardCharsets.UTF_8)))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json(response).get("access_token").getAsString();
  }

  static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  /** Asserts the body is an OperationOutcome and returns its first issue's diagnostics. */
  static String outcome(HttpResponse<String> response) {
    JsonObject body = json(response);
    assertThat(body.get("resourceType").getAsString()).isEqualTo("OperationOutcome");
    return body.getAsJsonArray("issue").get(0).getAsJsonObject().get("diagnostics").getAsString();
  }
}
