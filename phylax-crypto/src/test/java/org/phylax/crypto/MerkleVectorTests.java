package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The transparency-dev/merkle proof vectors (RFC 6962 / RFC 9162 hashing) through {@link
 * MerkleTree}'s verifiers: every file under {@code merkle/inclusion} and {@code merkle/consistency}
 * runs, and each must be accepted exactly when its {@code wantErr} is false.
 *
 * <p>inclusion: 98 files, 6 accepted and 92 rejected. consistency: 98 files, 6 accepted and 92
 * rejected. The rejected ones flip proof bits, add, drop or reorder proof hashes, swap or pad the
 * roots, shift the sizes and index, and probe sizes of zero and indexes past the end. The
 * subtree-proof folders are not run: Phylax generates no subtree proofs.
 */
class MerkleVectorTests {

  @Test
  void verifyInclusionWhenPublishedVectorsThenAcceptsExactlyTheValidOnes() {
    List<Path> files = jsonFiles("inclusion");
    Tally tally = new Tally();
    for (Path file : files) {
      JsonObject v = load(file);
      boolean accepted;
      try {
        MerkleTree.verifyInclusion(
            uint64(v, "leafIdx"),
            uint64(v, "treeSize"),
            base64(v, "leafHash"),
            proof(v),
            base64(v, "root"));
        accepted = true;
      } catch (IntegrityException e) {
        accepted = false;
      }
      tally.record(file, v, accepted);
    }

    assertThat(tally.failures).isEmpty();
    assertThat(tally.run).isEqualTo(files.size()).isEqualTo(98);
    assertThat(tally.accepted).isEqualTo(6);
    assertThat(tally.rejected).isEqualTo(92);
  }

  @Test
  void verifyConsistencyWhenPublishedVectorsThenAcceptsExactlyTheValidOnes() {
    List<Path> files = jsonFiles("consistency");
    Tally tally = new Tally();
    for (Path file : files) {
      JsonObject v = load(file);
      boolean accepted;
      try {
        MerkleTree.verifyConsistency(
            uint64(v, "size1"),
            uint64(v, "size2"),
            base64(v, "root1"),
            base64(v, "root2"),
            proof(v));
        accepted = true;
      } catch (IntegrityException e) {
        accepted = false;
      }
      tally.record(file, v, accepted);
    }

    assertThat(tally.failures).isEmpty();
    assertThat(tally.run).isEqualTo(files.size()).isEqualTo(98);
    assertThat(tally.accepted).isEqualTo(6);
    assertThat(tally.rejected).isEqualTo(92);
  }

  private static final class Tally {
    int run;
    int accepted;
    int rejected;
    final List<String> failures = new ArrayList<>();

    void record(Path file, JsonObject v, boolean accepted) {
      run++;
      if (accepted) {
        this.accepted++;
      } else {
        rejected++;
      }
      boolean wantAccepted = !v.get("wantErr").getAsBoolean();
      if (accepted != wantAccepted) {
        failures.add(
            file.getParent().getFileName()
                + "/"
                + file.getFileName()
                + (accepted ? ": accepted, want rejected" : ": rejected, want accepted"));
      }
    }
  }

  private static List<Path> jsonFiles(String folder) {
    Path dir = SharedTestData.directory("merkle").resolve(folder);
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> files =
          walk.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
      if (files.isEmpty()) {
        throw new IllegalStateException("no vector files in " + dir);
      }
      return files;
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + dir, e);
    }
  }

  private static JsonObject load(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return JsonParser.parseReader(reader).getAsJsonObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  // The files hold Go uint64 values, one of them 2^64 - 1. Reading them as two's complement
  // hands the verifier the negative long a Java caller would have, which it must refuse.
  private static long uint64(JsonObject v, String name) {
    return v.get(name).getAsBigInteger().longValue();
  }

  private static byte[] base64(JsonObject v, String name) {
    return Base64.getDecoder().decode(v.get(name).getAsString());
  }

  // A Go nil slice is written as null; it means an empty proof.
  private static List<byte[]> proof(JsonObject v) {
    List<byte[]> proof = new ArrayList<>();
    JsonElement element = v.get("proof");
    if (element != null && !element.isJsonNull()) {
      for (JsonElement hash : element.getAsJsonArray()) {
        proof.add(Base64.getDecoder().decode(hash.getAsString()));
      }
    }
    return proof;
  }
}
