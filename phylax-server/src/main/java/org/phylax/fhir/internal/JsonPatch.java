package org.phylax.fhir.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * JSON Patch (RFC 6902): add, remove, replace, move, copy and test, over a JSON document. Errors
 * name the operation's index and what was wrong, never a value (the document is a patient's
 * record).
 */
final class JsonPatch {

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonPatch() {}

  /**
   * The document with the patch applied.
   *
   * @throws Outcomes.Failure 400 for a patch that is not a JSON Patch, 422 for one that does not
   *     apply (a missing path, a failed test)
   */
  static String apply(String document, String patch) {
    JsonNode ops;
    JsonNode doc;
    try {
      ops = JSON.readTree(patch);
      doc = JSON.readTree(document);
    } catch (JsonProcessingException e) {
      throw new Outcomes.Failure(400, IssueType.STRUCTURE, "The patch is not valid JSON.");
    }
    if (ops == null || !ops.isArray()) {
      throw new Outcomes.Failure(
          400, IssueType.STRUCTURE, "A JSON Patch is an array of operations.");
    }
    for (int i = 0; i < ops.size(); i++) {
      doc = one(doc, ops.get(i), i);
    }
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private static JsonNode one(JsonNode doc, JsonNode op, int index) {
    if (!op.isObject() || !op.path("op").isTextual() || !op.path("path").isTextual()) {
      throw bad(index, "needs op and path");
    }
    String name = op.get("op").asText();
    List<String> path = pointer(op.get("path").asText(), index);
    switch (name) {
      case "add" -> {
        return add(doc, path, value(op, index), index);
      }
      case "remove" -> {
        remove(doc, path, index);
        return doc;
      }
      case "replace" -> {
        get(doc, path, index);
        remove(doc, path, index);
        return add(doc, path, value(op, index), index);
      }
      case "move", "copy" -> {
        if (!op.path("from").isTextual()) {
          throw bad(index, "needs from");
        }
        List<String> from = pointer(op.get("from").asText(), index);
        JsonNode moved = get(doc, from, index).deepCopy();
        if (name.equals("move")) {
          remove(doc, from, index);
        }
        return add(doc, path, moved, index);
      }
      case "test" -> {
        if (!get(doc, path, index).equals(value(op, index))) {
          throw new Outcomes.Failure(
              422, IssueType.CONFLICT, "JSON Patch operation " + index + " (test) failed.");
        }
        return doc;
      }
      default -> throw bad(index, "has an unknown op");
    }
  }

  private static JsonNode value(JsonNode op, int index) {
    if (!op.has("value")) {
      throw bad(index, "needs a value");
    }
    return op.get("value").deepCopy();
  }

  private static List<String> pointer(String text, int index) {
    List<String> out = new ArrayList<>();
    if (text.isEmpty()) {
      return out;
    }
    if (!text.startsWith("/")) {
      throw bad(index, "has a path that is not a JSON Pointer");
    }
    for (String token : text.substring(1).split("/", -1)) {
      out.add(token.replace("~1", "/").replace("~0", "~"));
    }
    return out;
  }

  private static JsonNode get(JsonNode doc, List<String> path, int index) {
    JsonNode node = doc;
    for (String token : path) {
      node = child(node, token, index);
    }
    return node;
  }

  private static JsonNode child(JsonNode node, String token, int index) {
    JsonNode next = null;
    if (node.isObject()) {
      next = node.get(token);
    } else if (node.isArray()) {
      int i = arrayIndex(token, node.size() - 1, index);
      next = node.get(i);
    }
    if (next == null) {
      throw missing(index);
    }
    return next;
  }

  private static JsonNode add(JsonNode doc, List<String> path, JsonNode value, int index) {
    if (path.isEmpty()) {
      return value;
    }
    JsonNode parent = get(doc, path.subList(0, path.size() - 1), index);
    String last = path.get(path.size() - 1);
    if (parent instanceof ObjectNode object) {
      object.set(last, value);
    } else if (parent instanceof ArrayNode array) {
      if (last.equals("-")) {
        array.add(value);
      } else {
        array.insert(arrayIndex(last, array.size(), index), value);
      }
    } else {
      throw missing(index);
    }
    return doc;
  }

  private static void remove(JsonNode doc, List<String> path, int index) {
    if (path.isEmpty()) {
      throw bad(index, "cannot remove the whole document");
    }
    JsonNode parent = get(doc, path.subList(0, path.size() - 1), index);
    String last = path.get(path.size() - 1);
    if (parent instanceof ObjectNode object && object.has(last)) {
      object.remove(last);
    } else if (parent instanceof ArrayNode array) {
      array.remove(arrayIndex(last, array.size() - 1, index));
    } else {
      throw missing(index);
    }
  }

  private static int arrayIndex(String token, int max, int index) {
    try {
      int i = Integer.parseInt(token);
      if (i >= 0 && i <= max && (token.equals("0") || !token.startsWith("0"))) {
        return i;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw missing(index);
  }

  private static Outcomes.Failure missing(int index) {
    return new Outcomes.Failure(
        422,
        IssueType.PROCESSING,
        "JSON Patch operation " + index + " names a path the resource does not have.");
  }

  private static Outcomes.Failure bad(int index, String what) {
    return new Outcomes.Failure(
        400, IssueType.INVALID, "JSON Patch operation " + index + " " + what + ".");
  }
}
