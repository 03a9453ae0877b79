package org.phylax.platform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Phylax's configuration, read from the environment ({@code PHYLAX_*}) or from the same keys in
 * {@code application.yml} in the working directory; the environment wins. Every rule is checked
 * when the settings are made, and all violations are reported together in one {@link
 * ConfigurationProblem}, so that an operator fixes them in one pass.
 *
 * <p>{@code toString()} never prints the database password or the master key.
 */
public final class PhylaxSettings {

  /** How strict Phylax is: {@code dev} for a developer's machine, {@code prod} for real data. */
  public enum Profile {
    DEV,
    PROD;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The console log format. */
  public enum LogFormat {
    TEXT,
    JSON
  }

  public static final String PORT = "PHYLAX_PORT";
  public static final String DATA_DIR = "PHYLAX_DATA_DIR";
  public static final String DB_URL = "PHYLAX_DB_URL";
  public static final String DB_USER = "PHYLAX_DB_USER";
  public static final String DB_PASSWORD = "PHYLAX_DB_PASSWORD";
  public static final String MASTER_KEY = "PHYLAX_MASTER_KEY";
  public static final String MASTER_KEY_FILE = "PHYLAX_MASTER_KEY_FILE";
  public static final String PROFILE = "PHYLAX_PROFILE";
  public static final String LOG_FORMAT = "PHYLAX_LOG_FORMAT";
  public static final String EMBEDDED_DB_OS_USER = "PHYLAX_EMBEDDED_DB_OS_USER";
  public static final String AUDIT_WITNESS_DIR = "PHYLAX_AUDIT_WITNESS_DIR";

  static final Set<String> KEYS =
      Set.of(
          PORT,
          DATA_DIR,
          DB_URL,
          DB_USER,
          DB_PASSWORD,
          MASTER_KEY,
          MASTER_KEY_FILE,
          PROFILE,
          LOG_FORMAT,
          EMBEDDED_DB_OS_USER,
          AUDIT_WITNESS_DIR);

  private static final String JDBC_PREFIX = "jdbc:postgresql://";
  private static final String KMS_PREFIX = "aws-kms://";

  private final Map<String, String> values;
  private final Profile defaultProfile;
  private final int port;
  private final Path dataDir;
  private final ExternalDatabase database;
  private final Profile profile;
  private final LogFormat logFormat;
  private final String embeddedDbOsUser;
  private final String masterKey; // base64 of 32 bytes, or a KMS key URI; null when not set
  private final Path masterKeyFile;
  private final Path auditWitnessDir;

  private PhylaxSettings(Map<String, String> values, Profile defaultProfile) {
    this.values = Map.copyOf(values);
    this.defaultProfile = defaultProfile;
    List<String> problems = new ArrayList<>();
    this.port = parsePort(values.get(PORT), problems);
    this.profile = parseProfile(values.get(PROFILE), defaultProfile, problems);
    this.logFormat = parseLogFormat(values.get(LOG_FORMAT), problems);
    this.dataDir = usableDataDir(values.getOrDefault(DATA_DIR, "phylax-data"), problems);
    this.database = parseDatabase(values, problems);
    this.embeddedDbOsUser = values.getOrDefault(EMBEDDED_DB_OS_USER, "nobody");
    if (!embeddedDbOsUser.matches("[a-z_][a-z0-9_-]{0,31}")) {
      problems.add(EMBEDDED_DB_OS_USER + ": '" + embeddedDbOsUser + "' is not an OS account name");
    }
    this.masterKey = readMasterKey(values, problems);
    this.auditWitnessDir =
        values.get(AUDIT_WITNESS_DIR) == null
            ? null
            : usableDir(AUDIT_WITNESS_DIR, values.get(AUDIT_WITNESS_DIR), problems);
    this.masterKeyFile =
        values.get(MASTER_KEY_FILE) == null
            ? null
            : Path.of(values.get(MASTER_KEY_FILE)).toAbsolutePath().normalize();
    if (profile == Profile.PROD) {
      checkProductionRules(problems);
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationProblem(problems);
    }
  }

  /**
   * Reads the settings from {@code environment}, then from {@code application.yml} in {@code
   * workingDir} for keys the environment does not set. Keys may be written there as in the
   * environment ({@code PHYLAX_PORT: 8081}) or nested ({@code phylax: {port: 8081}}).
   *
   * @throws ConfigurationProblem naming every setting that is wrong
   */
  public static PhylaxSettings load(
      Map<String, String> environment, Path workingDir, Profile defaultProfile) {
    Map<String, String> values =
        new LinkedHashMap<>(readYaml(workingDir.resolve("application.yml")));
    environment.forEach(
        (key, value) -> {
          if (KEYS.contains(key)) {
            values.put(key, value);
          }
        });
    values.values().removeIf(String::isEmpty);
    return new PhylaxSettings(values, defaultProfile);
  }

  /** Settings from exactly these values (no file, no environment); for tests and tools. */
  public static PhylaxSettings of(Map<String, String> values, Profile defaultProfile) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    copy.values().removeIf(String::isEmpty);
    return new PhylaxSettings(copy, defaultProfile);
  }

  /** These settings with the database replaced by {@code database}. */
  PhylaxSettings withDatabase(ExternalDatabase database) {
    Map<String, String> changed = new LinkedHashMap<>(values);
    changed.put(DB_URL, database.url());
    changed.put(DB_USER, database.user());
    changed.put(DB_PASSWORD, database.password());
    return new PhylaxSettings(changed, defaultProfile);
  }

  public int port() {
    return port;
  }

  /** The data directory, absolute; it exists and is writable. */
  public Path dataDir() {
    return dataDir;
  }

  /** The operator's PostgreSQL, or empty for the embedded one in {@code dataDir()/pg}. */
  public Optional<ExternalDatabase> externalDatabase() {
    return Optional.ofNullable(database);
  }

  public Profile profile() {
    return profile;
  }

  public LogFormat logFormat() {
    return logFormat;
  }

  /** The OS account that runs the embedded PostgreSQL when Phylax itself runs as root. */
  public String embeddedDbOsUser() {
    return embeddedDbOsUser;
  }

  /**
   * The operator's master key: the base64 text of 32 bytes, or a KMS key URI ({@code aws-kms://…});
   * empty when none is configured (the dev profile then uses a generated one).
   */
  public Optional<String> masterKey() {
    return Optional.ofNullable(masterKey);
  }

  /** Where each signed audit checkpoint is also written, outside the database; empty if unset. */
  public Optional<Path> auditWitnessDir() {
    return Optional.ofNullable(auditWitnessDir);
  }

  /** The file the master key was read from, when it came from {@code PHYLAX_MASTER_KEY_FILE}. */
  public Optional<Path> masterKeyFile() {
    return Optional.ofNullable(masterKeyFile);
  }

  @Override
  public String toString() {
    return "PhylaxSettings[port="
        + port
        + ", dataDir="
        + dataDir
        + ", database="
        + (database == null ? "embedded" : database)
        + ", profile="
        + profile.key()
        + ", logFormat="
        + logFormat
        + ", masterKey="
        + (masterKey != null ? "***" : "none")
        + "]";
  }

  private static int parsePort(String value, List<String> problems) {
    if (value == null) {
      return 8080;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(PORT + ": '" + value + "' is not a port number (1-65535)");
    return -1;
  }

  private static Profile parseProfile(String value, Profile defaultProfile, List<String> problems) {
    if (value == null) {
      return defaultProfile;
    }
    for (Profile profile : Profile.values()) {
      if (profile.key().equals(value.trim().toLowerCase(Locale.ROOT))) {
        return profile;
      }
    }
    problems.add(PROFILE + ": '" + value + "' is not a profile (dev or prod)");
    return defaultProfile;
  }

  private static LogFormat parseLogFormat(String value, List<String> problems) {
    if (value == null) {
      return LogFormat.TEXT;
    }
    for (LogFormat format : LogFormat.values()) {
      if (format.name().equalsIgnoreCase(value.trim())) {
        return format;
      }
    }
    problems.add(LOG_FORMAT + ": '" + value + "' is not a log format (text or json)");
    return LogFormat.TEXT;
  }

  private static Path usableDataDir(String value, List<String> problems) {
    return usableDir(DATA_DIR, value, problems);
  }

  private static Path usableDir(String key, String value, List<String> problems) {
    Path dir = Path.of(value).toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      problems.add(key + ": " + dir + " is not a writable directory (" + reason(e) + ")");
    }
    return dir;
  }

  private static ExternalDatabase parseDatabase(Map<String, String> values, List<String> problems) {
    String url = values.get(DB_URL);
    String user = values.get(DB_USER);
    String password = values.get(DB_PASSWORD);
    if (url == null) {
      if (user != null || password != null) {
        problems.add(
            (user != null ? DB_USER : DB_PASSWORD)
                + ": is set but "
                + DB_URL
                + " is not (set both, or neither for the embedded database)");
      }
      return null;
    }
    if (!url.startsWith(JDBC_PREFIX) || url.length() == JDBC_PREFIX.length()) {
      problems.add(
          DB_URL + ": must be a PostgreSQL JDBC URL, jdbc:postgresql://HOST:PORT/DATABASE");
      return null;
    }
    if (user == null) {
      problems.add(DB_USER + ": is required with " + DB_URL);
      return null;
    }
    try {
      return new ExternalDatabase(url, user, password == null ? "" : password);
    } catch (IllegalArgumentException e) {
      problems.add(DB_URL + ": " + e.getMessage());
      return null;
    }
  }

  private static String readMasterKey(Map<String, String> values, List<String> problems) {
    String key = values.get(MASTER_KEY);
    String file = values.get(MASTER_KEY_FILE);
    if (key != null && file != null) {
      problems.add(MASTER_KEY + ": set either it or " + MASTER_KEY_FILE + ", not both");
      return null;
    }
    if (key != null) {
      if (!isBase64Of32Bytes(key) && !key.startsWith(KMS_PREFIX)) {
        problems.add(
            MASTER_KEY
                + ": must be the base64 encoding of 32 random bytes, or an AWS KMS key URI"
                + " (aws-kms://arn:aws:kms:REGION:ACCOUNT:key/ID)");
        return null;
      }
      return key.strip();
    }
    if (file != null) {
      Path path = Path.of(file);
      try {
        String content = Files.readString(path).strip();
        if (!isBase64Of32Bytes(content)) {
          problems.add(
              MASTER_KEY_FILE + ": " + path + " must hold the base64 encoding of 32 random bytes");
          return null;
        }
        return content;
      } catch (IOException | SecurityException e) {
        problems.add(MASTER_KEY_FILE + ": cannot read " + path + " (" + reason(e) + ")");
      }
    }
    return null;
  }

  private static boolean isBase64Of32Bytes(String text) {
    try {
      return Base64.getDecoder().decode(text.strip()).length == 32;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Rules that hold only in production; each adds its own line. */
  private void checkProductionRules(List<String> problems) {
    if (masterKey == null && !problems.toString().contains(MASTER_KEY)) {
      problems.add(
          MASTER_KEY
              + ": the prod profile needs a master key (base64 of 32 random bytes, a file named by "
              + MASTER_KEY_FILE
              + ", or an AWS KMS key URI)");
    }
    if (database != null && !database.isLoopback() && !database.requiresTls()) {
      problems.add(
          DB_URL
              + ": in the prod profile a database on another host must be reached over TLS"
              + " (add sslmode=verify-full, verify-ca or require)");
    }
  }

  private static String reason(Exception e) {
    String simple = e.getClass().getSimpleName();
    return switch (simple) {
      case "AccessDeniedException" -> "permission denied";
      case "FileSystemException" -> {
        String reason = ((java.nio.file.FileSystemException) e).getReason();
        yield reason == null ? "file system error" : reason;
      }
      case "FileAlreadyExistsException" -> "a file of that name is in the way";
      case "NoSuchFileException" -> "no such file or directory";
      case "NotDirectoryException" -> "not a directory";
      default -> e.getMessage() == null ? simple : e.getMessage();
    };
  }

  private static Map<String, String> readYaml(Path file) {
    if (!Files.isRegularFile(file)) {
      return Map.of();
    }
    Map<String, String> values = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file)) {
      Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      if (root instanceof Map<?, ?> map) {
        flatten("", map, values);
      }
    } catch (IOException | RuntimeException e) {
      throw new ConfigurationProblem(
          file.toAbsolutePath()
              + ": cannot be read as YAML ("
              + e.getClass().getSimpleName()
              + ")");
    }
    return values;
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, String> into) {
    map.forEach(
        (k, v) -> {
          String key =
              (prefix + String.valueOf(k))
                  .toUpperCase(Locale.ROOT)
                  .replace('.', '_')
                  .replace('-', '_');
          if (v instanceof Map<?, ?> nested) {
            flatten(key + "_", nested, into);
          } else if (v != null && KEYS.contains(key)) {
            into.put(key, String.valueOf(v));
          }
        });
  }
}
