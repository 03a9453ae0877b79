package org.phylax.bench.load;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The FHIR requests of the scenarios, over one HTTP/1.1 client, with a backend service's bearer
 * token (client credentials). Patients are synthetic: names built from syllables, so that a family
 * name matches a few dozen of 100,000 patients, as real ones do.
 */
final class Fhir {

  private static final String[] SYLLABLES = {
    "ba", "ber", "cal", "dor", "el", "fen", "gar", "hol", "in", "jor", "kel", "lan", "mor", "nor",
    "ol", "pen", "quin", "ros", "sel", "tor", "ul", "val", "wen", "yar", "zel", "ash", "brook",
    "dale", "field", "ford", "ham", "ley", "more", "ridge", "stone", "ton", "wick", "wood"
  };

  private static final String[] GIVEN = {
    "Ada", "Bram", "Cleo", "Dario", "Edda", "Fenn", "Greta", "Hugo", "Ines", "Jarl", "Kira", "Lars",
    "Mira", "Nils", "Oona", "Piet", "Runa", "Sven", "Tova", "Udo", "Vera", "Wim", "Yara", "Zeno"
  };

  /** Distinct family names: 38 × 38 × 4 = 5,776, so 100,000 patients give about 17 each. */
  static String family(int n) {
    int a = n % SYLLABLES.length;
    int b = (n / SYLLABLES.length) % SYLLABLES.length;
    int c = (n / (SYLLABLES.length * SYLLABLES.length)) % 4;
    String name = SYLLABLES[a] + SYLLABLES[b] + new String[] {"", "son", "er", "berg"}[c];
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  static final int FAMILIES = SYLLABLES.length * SYLLABLES.length * 4;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final URI base;
  private final String clientId;
  private final String clientSecret;
  private volatile String token;

  Fhir(URI base, String clientId, String clientSecret) {
    this.base = base;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  /** Fetches a fresh access token (they last minutes; each scenario starts with a new one). */
  void authenticate() throws IOException, InterruptedException {
    String basic =
        Base64.getEncoder()
            .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&scope="
                            + URLEncoder.encode("system/*.*", StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("token request answered " + r.statusCode() + ": " + r.body());
    }
    token = JsonParser.parseString(r.body()).getAsJsonObject().get("access_token").getAsString();
  }

  static String patientJson(Random rnd, String id) {
    int n = rnd.nextInt(FAMILIES);
    return "{\"resourceType\":\"Patient\""
        + (id == null ? "" : ",\"id\":\"" + id + "\"")
        + ",\"meta\":{\"tag\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActReason\","
        + "\"code\":\"HTEST\"}]}"
        + ",\"identifier\":[{\"system\":\"urn:phylax:bench:mrn\",\"value\":\"B-"
        + UUID.randomUUID()
        + "\"}],\"name\":[{\"family\":\""
        + family(n)
        + "\",\"given\":[\""
        + GIVEN[rnd.nextInt(GIVEN.length)]
        + "\"]}],\"gender\":\""
        + (rnd.nextBoolean() ? "female" : "male")
        + "\",\"birthDate\":\""
        + (1930 + rnd.nextInt(90))
        + "-0"
        + (1 + rnd.nextInt(9))
        + "-1"
        + rnd.nextInt(10)
        + "\",\"telecom\":[{\"system\":\"phone\",\"value\":\"555-0"
        + (100 + rnd.nextInt(900))
        + "\"}]}";
  }

  /** POST /fhir/Patient; returns the new id, or null when the answer was not 201. */
  String createPatient() throws IOException {
    Http1.Response r =
        send("POST", "/fhir/Patient", patientJson(ThreadLocalRandom.current(), null));
    if (r.status() != 201) {
      return null;
    }
    return JsonParser.parseString(r.body()).getAsJsonObject().get("id").getAsString();
  }

  boolean readPatient(String id) throws IOException {
    return send("GET", "/fhir/Patient/" + id, null).status() == 200;
  }

  boolean updatePatient(String id) throws IOException {
    return send("PUT", "/fhir/Patient/" + id, patientJson(ThreadLocalRandom.current(), id)).status()
        == 200;
  }

  boolean searchFamily(String family) throws IOException {
    Http1.Response r = send("GET", "/fhir/Patient?family=" + family + "&_count=20", null);
    return r.status() == 200 && r.body().contains("\"searchset\"");
  }

  /**
   * A transaction of {@code patients} Patients, each with {@code observations} Observations that
   * reference it by urn:uuid; returns the new Patients' ids, or null when it was not answered 200.
   */
  List<String> transaction(int patients, int observations)
      throws IOException, InterruptedException {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    JsonArray entries = new JsonArray();
    for (int i = 0; i < patients; i++) {
      String urn = "urn:uuid:" + UUID.randomUUID();
      entries.add(entry(urn, "Patient", JsonParser.parseString(patientJson(rnd, null))));
      for (int o = 0; o < observations; o++) {
        JsonObject obs =
            JsonParser.parseString(
                    "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
                        + "[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\",\"display\":"
                        + "\"Heart rate\"}]},\"effectiveDateTime\":\"2026-0"
                        + (1 + rnd.nextInt(9))
                        + "-1"
                        + rnd.nextInt(10)
                        + "T10:00:00Z\",\"valueQuantity\":{\"value\":"
                        + (50 + rnd.nextInt(60))
                        + ",\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":"
                        + "\"/min\"}}")
                .getAsJsonObject();
        JsonObject subject = new JsonObject();
        subject.addProperty("reference", urn);
        obs.add("subject", subject);
        entries.add(entry("urn:uuid:" + UUID.randomUUID(), "Observation", obs));
      }
    }
    JsonObject bundle = new JsonObject();
    bundle.addProperty("resourceType", "Bundle");
    bundle.addProperty("type", "transaction");
    bundle.add("entry", entries);
    Http1.Response r = send("POST", "/fhir", bundle.toString());
    if (r.status() != 200) {
      return null;
    }
    List<String> ids = new ArrayList<>();
    for (JsonElement e :
        JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("entry")) {
      String location =
          e.getAsJsonObject().getAsJsonObject("response").get("location").getAsString();
      if (location.startsWith("Patient/")) {
        ids.add(location.split("/")[1]);
      }
    }
    return ids;
  }

  private static JsonObject entry(String fullUrl, String type, JsonElement resource) {
    JsonObject entry = new JsonObject();
    entry.addProperty("fullUrl", fullUrl);
    entry.add("resource", resource);
    JsonObject request = new JsonObject();
    request.addProperty("method", "POST");
    request.addProperty("url", type);
    entry.add("request", request);
    return entry;
  }

  /** One connection per load worker, kept alive. */
  private final ThreadLocal<Http1> connections = new ThreadLocal<>();

  private Http1.Response send(String method, String path, String body) throws IOException {
    Http1 connection = connections.get();
    if (connection == null) {
      connection = new Http1(base);
      connections.set(connection);
    }
    String[] headers =
        body == null
            ? new String[] {"Authorization: Bearer " + token, "Accept: application/fhir+json"}
            : new String[] {
              "Authorization: Bearer " + token,
              "Accept: application/fhir+json",
              "Content-Type: application/fhir+json"
            };
    return connection.send(method, path, headers, body);
  }
}
