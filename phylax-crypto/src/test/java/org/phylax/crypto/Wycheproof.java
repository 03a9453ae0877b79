package org.phylax.crypto;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Loads Project Wycheproof vector files, found by {@link SharedTestData}. */
final class Wycheproof {

  private Wycheproof() {}

  /** One test case together with the parameters of its group. */
  static final class Vector {
    final JsonObject group;
    final JsonObject test;

    Vector(JsonObject group, JsonObject test) {
      this.group = group;
      this.test = test;
    }

    int tcId() {
      return test.get("tcId").getAsInt();
    }

    boolean valid() {
      // "acceptable" does not occur in the files Phylax uses; treating it as invalid would make
      // a future file with such cases fail loudly rather than pass by accident.
      return "valid".equals(test.get("result").getAsString());
    }

    byte[] hex(String name) {
      return HexFormat.of().parseHex(test.get(name).getAsString());
    }

    int groupInt(String name) {
      return group.get(name).getAsInt();
    }

    @Override
    public String toString() {
      return "tcId " + tcId() + " (" + test.get("comment").getAsString() + ")";
    }
  }

  /** Every test of {@code fileName}, in file order. */
  static List<Vector> vectors(String fileName) {
    JsonObject root = load(fileName);
    List<Vector> vectors = new ArrayList<>();
    for (JsonElement group : root.getAsJsonArray("testGroups")) {
      JsonArray tests = group.getAsJsonObject().getAsJsonArray("tests");
      for (JsonElement test : tests) {
        vectors.add(new Vector(group.getAsJsonObject(), test.getAsJsonObject()));
      }
    }
    int declared = root.get("numberOfTests").getAsInt();
    if (declared != vectors.size()) {
      throw new IllegalStateException(
          fileName + " declares " + declared + " tests but holds " + vectors.size());
    }
    return vectors;
  }

  static JsonObject load(String fileName) {
    Path file = directory().resolve(fileName);
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return JsonParser.parseReader(reader).getAsJsonObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read Wycheproof file " + file, e);
    }
  }

  static Path directory() {
    return SharedTestData.directory("wycheproof");
  }
}
