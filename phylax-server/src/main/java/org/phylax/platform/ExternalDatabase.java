package org.phylax.platform;

import java.util.Locale;
import java.util.Properties;

/**
 * An operator's PostgreSQL: JDBC URL and credentials. {@code toString()} shows where it is, never
 * the password.
 */
public final class ExternalDatabase {

  private final String url;
  private final String user;
  private final String password;
  private final String host;
  private final int port;
  private final String databaseName;
  private final String sslMode;

  ExternalDatabase(String url, String user, String password) {
    Properties parsed = org.postgresql.Driver.parseURL(url, null);
    if (parsed == null) {
      throw new IllegalArgumentException(
          "is not a valid PostgreSQL JDBC URL (jdbc:postgresql://HOST:PORT/DATABASE)");
    }
    this.url = url;
    this.user = user;
    this.password = password;
    this.host = parsed.getProperty("PGHOST", "localhost").split(",")[0];
    this.port = Integer.parseInt(parsed.getProperty("PGPORT", "5432").split(",")[0]);
    this.databaseName = parsed.getProperty("PGDBNAME", user);
    this.sslMode = parsed.getProperty("sslmode", "prefer").toLowerCase(Locale.ROOT);
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** {@code host:port/database}, safe to print. */
  public String location() {
    return host + ":" + port + "/" + databaseName;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String databaseName() {
    return databaseName;
  }

  boolean isLoopback() {
    return host.equals("localhost")
        || host.startsWith("127.")
        || host.equals("::1")
        || host.equals("[::1]");
  }

  boolean requiresTls() {
    return sslMode.equals("require") || sslMode.startsWith("verify-");
  }

  @Override
  public String toString() {
    return "ExternalDatabase[" + location() + ", user=" + user + ", password=***]";
  }
}
