package org.phylax.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where an encrypted value lives: resource type, resource id, version and field. It is bound to the
 * ciphertext as associated data, so a ciphertext copied to another row, version or field does not
 * decrypt.
 *
 * <p>Canonical encoding ({@link #associatedData()}): the ASCII tag {@code phylax.field.v1}, then
 * for each of resource type, resource id, version (decimal) and field, its UTF-8 bytes preceded by
 * their length as a 4-byte big-endian integer. Length prefixes make the encoding unambiguous (no
 * two contexts share bytes, whatever characters their parts hold).
 */
public final class FieldContext {

  private static final byte[] TAG = "phylax.field.v1".getBytes(StandardCharsets.US_ASCII);

  private final String resourceType;
  private final String resourceId;
  private final long version;
  private final String field;

  private FieldContext(String resourceType, String resourceId, long version, String field) {
    this.resourceType = requireText(resourceType, "resourceType");
    this.resourceId = requireText(resourceId, "resourceId");
    if (version < 1) {
      throw new IllegalArgumentException("version must be 1 or more");
    }
    this.version = version;
    this.field = requireText(field, "field");
  }

  public static FieldContext of(
      String resourceType, String resourceId, long version, String field) {
    return new FieldContext(resourceType, resourceId, version, field);
  }

  public byte[] associatedData() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.writeBytes(TAG);
    for (String part : new String[] {resourceType, resourceId, Long.toString(version), field}) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      out.write(bytes.length >>> 24);
      out.write(bytes.length >>> 16);
      out.write(bytes.length >>> 8);
      out.write(bytes.length);
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  private static String requireText(String value, String name) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldContext other
        && version == other.version
        && resourceType.equals(other.resourceType)
        && resourceId.equals(other.resourceId)
        && field.equals(other.field);
  }

  @Override
  public int hashCode() {
    return Objects.hash(resourceType, resourceId, version, field);
  }

  @Override
  public String toString() {
    return resourceType + "/" + resourceId + "/_history/" + version + "#" + field;
  }
}
