package org.phylax.keys;

import java.util.Map;

/**
 * Implemented by the modules that store encrypted values, so that key administration can tell how
 * many values each key still protects (for {@code keys status}) and refuse to retire a key in use.
 */
public interface KeyUsage {

  /** Stored values per encryption key id. */
  Map<Integer, Long> valuesPerKey();
}
