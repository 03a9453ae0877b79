package org.phylax.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.oauth.OAuthClients;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Synthea's output, imported over HTTP and read back unchanged. Synthea 3.3.0 (seed 42, five living
 * patients, the reference date fixed so that the data is the same every day) runs as a child
 * process on the classpath that the phylax-synthea module resolves — it brings its own HAPI FHIR,
 * so it stays off this JVM's classpath. Its directory batches (organizations, locations and
 * practitioners as conditional creates, practitioner roles) load first, then one transaction per
 * patient, by a backend service with {@code system/*.write}; the import speed of the patient
 * transactions is logged. Every resource sent is then read back — all of them by search on {@code
 * _id}, one of each type also by {@code GET /fhir/Type/id} — and must equal what was sent, but for
 * {@code id} and {@code meta} (the server's) and references, which must name the server's ids:
 * {@code urn:uuid} fullUrls the id of that entry, conditional references the directory resource
 * with that identifier (as the first load answered it). Primitives compare by their JSON text, so a
 * decimal or date written differently counts. Differences are reported by type and path, never by
 * value.
 */
class SyntheaRoundTripIntegrationTests {

  private static final Logger log = LoggerFactory.getLogger(SyntheaRoundTripIntegrationTests.class);

  /** Written by the phylax-synthea module when the build runs tests. */
  private static final Path SYNTHEA_CLASSPATH =
      Path.of("..", "phylax-synthea", "target", "synthea-classpath.txt");

  private static final long SYNTHEA_TIMEOUT_MINUTES = 5;
  private static final String FHIR_JSON = "application/fhir+json";

  /** Ids per search when reading back. */
  private static final int PAGE = 100;

  @TempDir static Path dir;
  static PhylaxServer server;
  static JdbcTemplate jdbc;
  static final HttpClient http = HttpClient.newHttpClient();
  static String service;
  static List<Path> directoryFiles;
  static List<Path> patientFiles;

  /** Sent directory bundles and their first responses, in load order. */
  static final List<JsonObject> directorySent = new ArrayList<>();

  static final List<JsonObject> directoryAnswered = new ArrayList<>();

  /** {@code Type?identifier=system|value} of every directory resource → its server reference. */
  static final Map<String, String> byIdentifier = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    Path out = runSynthea(dir.resolve("synthea"));
    try (Stream<Path> files = Files.list(out.resolve("fhir"))) {
      List<Path> all = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
      directoryFiles =
          Stream.concat(
                  all.stream().filter(p -> name(p).startsWith("hospitalInformation")),
                  all.stream().filter(p -> name(p).startsWith("practitionerInformation")))
              .toList();
      patientFiles = all.stream().filter(p -> !directoryFiles.contains(p)).toList();
    }
    assertThat(directoryFiles).as("Synthea's directory bundles").hasSize(2);
    assertThat(patientFiles).as("Synthea's patient bundles").hasSizeGreaterThanOrEqualTo(5);

    server = TestServers.dev(dir);
    jdbc = server.context().getBean(JdbcTemplate.class);
    OAuthClients.Registered loader =
        server
            .context()
            .getBean(OAuthClients.class)
            .addService("Synthea loader", Set.of("system/*.read", "system/*.write"), "os:tester");
    service = serviceToken(loader);

    for (Path file : directoryFiles) {
      JsonObject sent = read(file);
      assertThat(sent.get("type").getAsString()).isEqualTo("batch");
      JsonObject answer = post(sent);
      JsonArray entries = sent.getAsJsonArray("entry");
      JsonArray responses = answer.getAsJsonArray("entry");
      assertThat(responses).hasSize(entries.size());
      for (int i = 0; i < entries.size(); i++) {
        JsonObject entry = entries.get(i).getAsJsonObject();
        JsonObject response = responses.get(i).getAsJsonObject().getAsJsonObject("response");
        assertThat(response.get("status").getAsString())
            .as("%s entry %d", name(file), i)
            .isEqualTo("201 Created");
        JsonObject request = entry.getAsJsonObject("request");
        if (request.has("ifNoneExist")) {
          byIdentifier.put(
              request.get("url").getAsString() + "?" + request.get("ifNoneExist").getAsString(),
              reference(response));
        }
      }
      directorySent.add(sent);
      directoryAnswered.add(answer);
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  /**
   * Synthea makes Organizations, Locations and Practitioners conditional creates ({@code
   * ifNoneExist} on their identifier) and PractitionerRoles plain creates, so a second load adds
   * roles again, as FHIR says it must, and nothing else.
   */
  @Test
  void directoryBundlesWhenLoadedAgainThenConditionalCreatesAnswerTheResourcesOfTheFirstLoad()
      throws Exception {
    long before = directoryRows();
    int conditionalCreates = 0;
    for (int b = 0; b < directorySent.size(); b++) {
      JsonArray sent = directorySent.get(b).getAsJsonArray("entry");
      JsonObject again = post(directorySent.get(b));
      JsonArray first = directoryAnswered.get(b).getAsJsonArray("entry");
      JsonArray now = again.getAsJsonArray("entry");
      assertThat(now).hasSize(first.size());
      for (int i = 0; i < now.size(); i++) {
        JsonObject response = now.get(i).getAsJsonObject().getAsJsonObject("response");
        String previous = reference(first.get(i).getAsJsonObject().getAsJsonObject("response"));
        if (sent.get(i).getAsJsonObject().getAsJsonObject("request").has("ifNoneExist")) {
          conditionalCreates++;
          assertThat(response.get("status").getAsString()).as("entry %d", i).isEqualTo("200 OK");
          assertThat(reference(response)).isEqualTo(previous);
        } else {
          assertThat(response.get("status").getAsString())
              .as("entry %d", i)
              .isEqualTo("201 Created");
          assertThat(reference(response)).isNotEqualTo(previous);
        }
      }
    }
    assertThat(conditionalCreates).isEqualTo(byIdentifier.size()).isGreaterThan(40);
    assertThat(directoryRows()).isEqualTo(before);
  }

  @Test
  void syntheaBundlesWhenImportedThenEveryResourceReadsBackAsSent() throws Exception {
    // Directory resources: as loaded in start().
    Map<String, JsonObject> expected = new LinkedHashMap<>();
    Map<String, String> typeOf = new HashMap<>();
    for (int b = 0; b < directorySent.size(); b++) {
      collect(
          directorySent.get(b),
          directoryAnswered.get(b),
          fullUrls(directorySent.get(b), directoryAnswered.get(b)),
          expected);
    }

    List<JsonObject> bundles = new ArrayList<>();
    for (Path file : patientFiles) {
      JsonObject bundle = read(file);
      assertThat(bundle.get("type").getAsString()).isEqualTo("transaction");
      bundles.add(bundle);
    }
    int resources = 0;
    long started = System.nanoTime();
    List<JsonObject> answers = new ArrayList<>();
    for (JsonObject bundle : bundles) {
      answers.add(post(bundle));
      resources += bundle.getAsJsonArray("entry").size();
    }
    long nanos = System.nanoTime() - started;
    log.info(
        "Synthea import: {} resources in {} patient transactions in {} ms, {} resources/s",
        resources,
        bundles.size(),
        TimeUnit.NANOSECONDS.toMillis(nanos),
        Math.round(resources / (nanos / 1e9)));

    for (int b = 0; b < bundles.size(); b++) {
      JsonObject bundle = bundles.get(b);
      JsonObject answer = answers.get(b);
      assertThat(answer.get("type").getAsString()).isEqualTo("transaction-response");
      JsonArray responses = answer.getAsJsonArray("entry");
      assertThat(responses).hasSize(bundle.getAsJsonArray("entry").size());
      for (JsonElement r : responses) {
        assertThat(r.getAsJsonObject().getAsJsonObject("response").get("status").getAsString())
            .isEqualTo("201 Created");
      }
      collect(bundle, answer, fullUrls(bundle, answer), expected);
    }
    expected.keySet().forEach(ref -> typeOf.put(ref, ref.substring(0, ref.indexOf('/'))));

    // Read every resource back: by search on _id, a page of ids at a time (a read of each would
    // cost the test a minute of token checks and audit commits), and one of each type by read.
    Map<String, List<String>> idsByType = new TreeMap<>();
    for (String ref : expected.keySet()) {
      idsByType.computeIfAbsent(typeOf.get(ref), t -> new ArrayList<>()).add(id(ref));
    }
    Map<String, Integer> checked = new TreeMap<>();
    Set<String> differences = new TreeSet<>();
    long readStarted = System.nanoTime();
    for (Map.Entry<String, List<String>> type : idsByType.entrySet()) {
      List<String> ids = type.getValue();
      for (int from = 0; from < ids.size(); from += PAGE) {
        List<String> page = ids.subList(from, Math.min(ids.size(), from + PAGE));
        JsonObject found =
            json(
                http.send(
                    get(
                        "/fhir/"
                            + type.getKey()
                            + "?_count="
                            + PAGE
                            + "&_id="
                            + String.join(",", page)),
                    HttpResponse.BodyHandlers.ofString()));
        Set<String> missing = new TreeSet<>(page);
        for (JsonElement e : found.getAsJsonArray("entry")) {
          JsonObject stored = e.getAsJsonObject().getAsJsonObject("resource");
          String ref = type.getKey() + "/" + stored.get("id").getAsString();
          missing.remove(id(ref));
          check(ref, stored, expected, differences, checked);
        }
        missing.forEach(id -> differences.add(type.getKey() + ": not found by _id"));
      }
      String first = type.getKey() + "/" + ids.get(0);
      HttpResponse<String> read =
          http.send(get("/fhir/" + first), HttpResponse.BodyHandlers.ofString());
      assertThat(read.statusCode()).as(first).isEqualTo(200);
      check(first, json(read), expected, differences, new TreeMap<>());
    }
    log.info(
        "Synthea read-back: {} resources in {} ms",
        expected.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readStarted));

    assertThat(differences).as("resources that read back changed (type and path)").isEmpty();
    assertThat(checked.values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(expected.size());
    assertThat(checked.keySet())
        .contains(
            "Patient",
            "Encounter",
            "Observation",
            "Claim",
            "ExplanationOfBenefit",
            "Organization",
            "Practitioner",
            "Location",
            "PractitionerRole");
    long rows = jdbc.queryForObject("select count(*) from record_resource", Long.class);
    assertThat(rows).isGreaterThanOrEqualTo(expected.size());
  }

  private static void check(
      String ref,
      JsonObject stored,
      Map<String, JsonObject> expected,
      Set<String> differences,
      Map<String, Integer> checked) {
    String type = ref.substring(0, ref.indexOf('/'));
    if (!expected.containsKey(ref)) {
      differences.add(type + ": a resource that was not sent");
      return;
    }
    stored.remove("id");
    stored.remove("meta");
    if ("Location".equals(type)) {
      defaultZone(expected.get(ref), stored, differences);
    }
    compare(type, expected.get(ref), stored, differences);
    checked.merge(type, 1, Integer::sum);
  }

  /**
   * Synthea's Locations name no time zone, so each one was stored with the server's default zone
   * (phylax.scheduling.default-zone, UTC unless set; docs/scheduling.md); the rest is unchanged.
   */
  private static void defaultZone(JsonObject sent, JsonObject stored, Set<String> differences) {
    String url = "http://hl7.org/fhir/StructureDefinition/timezone";
    if (sent.has("extension")
        && sent.getAsJsonArray("extension").toString().contains("\"" + url + "\"")) {
      return;
    }
    JsonArray extensions = stored.has("extension") ? stored.getAsJsonArray("extension") : null;
    for (int i = 0; extensions != null && i < extensions.size(); i++) {
      JsonObject e = extensions.get(i).getAsJsonObject();
      if (url.equals(e.get("url").getAsString())) {
        if (!"UTC".equals(e.get("valueCode").getAsString())) {
          differences.add("Location: a time zone other than the default");
        }
        extensions.remove(i);
        if (extensions.isEmpty()) {
          stored.remove("extension");
        }
        return;
      }
    }
    differences.add("Location: stored without the default time zone");
  }

  private static String id(String ref) {
    return ref.substring(ref.indexOf('/') + 1);
  }

  private static JsonObject json(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  // ------------------------------------------------------------------ Synthea

  /** Runs Synthea into {@code out} and answers it; fails with Synthea's output if it fails. */
  static Path runSynthea(Path out) throws Exception {
    assertThat(SYNTHEA_CLASSPATH)
        .as(
            "Synthea's classpath, written by the phylax-synthea module in a build that runs tests"
                + " (./mvnw verify -pl phylax-server -am)")
        .isRegularFile();
    String classpath = Files.readString(SYNTHEA_CLASSPATH).strip();
    Files.createDirectories(out);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path console = out.resolve("synthea-output.txt");
    Process synthea =
        new ProcessBuilder(
                java.toString(),
                "-Duser.timezone=UTC",
                "-cp",
                classpath,
                "App",
                "-s",
                "42",
                "-r",
                "20261126",
                "-p",
                "5",
                "--exporter.baseDirectory=" + out,
                "Massachusetts")
            .directory(out.toFile())
            .redirectErrorStream(true)
            .redirectOutput(console.toFile())
            .start();
    long started = System.nanoTime();
    try {
      if (!synthea.waitFor(SYNTHEA_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        throw new AssertionError(
            "Synthea did not finish in " + SYNTHEA_TIMEOUT_MINUTES + " minutes:\n" + tail(console));
      }
    } finally {
      synthea.destroyForcibly();
    }
    if (synthea.exitValue() != 0) {
      throw new AssertionError(
          "Synthea exited with " + synthea.exitValue() + ":\n" + tail(console));
    }
    log.info(
        "Synthea generated its bundles in {} ms",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return out;
  }

  private static String tail(Path console) throws IOException {
    List<String> lines = Files.readAllLines(console);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  // ------------------------------------------------------------------ comparing

  /**
   * Adds each entry's resource as it should read back, under its server reference: without id and
   * meta, with {@code urn:uuid} and conditional references replaced by server references.
   */
  static void collect(
      JsonObject bundle,
      JsonObject answer,
      Map<String, String> fullUrls,
      Map<String, JsonObject> expected) {
    JsonArray entries = bundle.getAsJsonArray("entry");
    JsonArray responses = answer.getAsJsonArray("entry");
    for (int i = 0; i < entries.size(); i++) {
      JsonObject resource = entries.get(i).getAsJsonObject().getAsJsonObject("resource").deepCopy();
      resource.remove("id");
      resource.remove("meta");
      rewriteReferences(resource, fullUrls);
      String ref = reference(responses.get(i).getAsJsonObject().getAsJsonObject("response"));
      assertThat(ref).startsWith(resource.get("resourceType").getAsString() + "/");
      expected.put(ref, resource);
    }
  }

  static Map<String, String> fullUrls(JsonObject bundle, JsonObject answer) {
    Map<String, String> out = new HashMap<>();
    JsonArray entries = bundle.getAsJsonArray("entry");
    JsonArray responses = answer.getAsJsonArray("entry");
    for (int i = 0; i < entries.size(); i++) {
      JsonObject entry = entries.get(i).getAsJsonObject();
      if (entry.has("fullUrl")) {
        out.put(
            entry.get("fullUrl").getAsString(),
            reference(responses.get(i).getAsJsonObject().getAsJsonObject("response")));
      }
    }
    return out;
  }

  private static void rewriteReferences(JsonElement element, Map<String, String> fullUrls) {
    if (element.isJsonArray()) {
      element.getAsJsonArray().forEach(e -> rewriteReferences(e, fullUrls));
    } else if (element.isJsonObject()) {
      JsonObject object = element.getAsJsonObject();
      for (Map.Entry<String, JsonElement> field : object.entrySet()) {
        JsonElement value = field.getValue();
        if (field.getKey().equals("reference") && value.isJsonPrimitive()) {
          String target = value.getAsString();
          String server =
              target.startsWith("urn:uuid:") ? fullUrls.get(target) : byIdentifier.get(target);
          if (server != null) {
            field.setValue(new JsonPrimitive(server));
          } else {
            assertThat(target)
                .as("a reference neither to an entry nor to a directory resource")
                .doesNotStartWith("urn:uuid:")
                .doesNotContain("?");
          }
        } else {
          rewriteReferences(value, fullUrls);
        }
      }
    }
  }

  /**
   * Adds the paths where {@code actual} differs from {@code expected}. Primitives compare by their
   * JSON text, so a decimal that lost or gained precision ({@code 1.50} to {@code 1.5}) differs.
   */
  static void compare(String path, JsonElement expected, JsonElement actual, Set<String> out) {
    if (expected.isJsonObject() && actual.isJsonObject()) {
      JsonObject e = expected.getAsJsonObject();
      JsonObject a = actual.getAsJsonObject();
      for (String key : e.keySet()) {
        if (!a.has(key)) {
          out.add(path + "." + key + ": missing");
        } else {
          compare(path + "." + key, e.get(key), a.get(key), out);
        }
      }
      for (String key : a.keySet()) {
        if (!e.has(key)) {
          out.add(path + "." + key + ": added");
        }
      }
    } else if (expected.isJsonArray() && actual.isJsonArray()) {
      JsonArray e = expected.getAsJsonArray();
      JsonArray a = actual.getAsJsonArray();
      if (e.size() != a.size()) {
        out.add(path + ": " + e.size() + " items became " + a.size());
      }
      for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
        compare(path + "[]", e.get(i), a.get(i), out);
      }
    } else if (expected.isJsonPrimitive() && actual.isJsonPrimitive()) {
      JsonPrimitive e = expected.getAsJsonPrimitive();
      JsonPrimitive a = actual.getAsJsonPrimitive();
      boolean sameKind = e.isString() == a.isString() && e.isNumber() == a.isNumber();
      if (!sameKind || !e.getAsString().equals(a.getAsString())) {
        out.add(path + ": changed");
      }
    } else if (!expected.equals(actual)) {
      out.add(path + ": changed kind");
    }
  }

  // ------------------------------------------------------------------ HTTP

  static long directoryRows() {
    return jdbc.queryForObject(
        "select count(*) from record_resource where resource_type in"
            + " ('Organization','Location','Practitioner')",
        Long.class);
  }

  static JsonObject post(JsonObject bundle) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(server.baseUri().resolve("/fhir"))
            .header("Accept", FHIR_JSON)
            .header("Content-Type", FHIR_JSON)
            .header("Authorization", "Bearer " + service)
            .POST(HttpRequest.BodyPublishers.ofString(bundle.toString()))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  static HttpRequest get(String path) {
    return HttpRequest.newBuilder(server.baseUri().resolve(path))
        .header("Accept", FHIR_JSON)
        .header("Authorization", "Bearer " + service)
        .GET()
        .build();
  }

  /** {@code Type/id} of a bundle response's location. */
  static String reference(JsonObject response) {
    return response.get("location").getAsString().replaceAll("/_history/.*", "");
  }

  static JsonObject read(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }

  static String name(Path file) {
    return file.getFileName().toString();
  }

  static String serviceToken(OAuthClients.Registered client) throws Exception {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (client.clientId() + ":" + client.clientSecret()).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(server.baseUri().resolve("/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Basic " + basic)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "grant_type=client_credentials&scope="
                        + URLEncoder.encode(
                            "system/*.read system/*.write", StandardCharsets.UTF_8)))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JsonParser.parseString(response.body())
        .getAsJsonObject()
        .get("access_token")
        .getAsString();
  }
}
