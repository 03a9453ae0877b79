package org.phylax.platform.internal;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Properties;
import org.phylax.platform.ConfigurationProblem;
import org.phylax.platform.ExternalDatabase;
import org.phylax.platform.PhylaxSettings;

/**
 * Checks, before anything else starts, that the operator's PostgreSQL answers, accepts the
 * credentials and is new enough; turns each failure into one line naming the setting at fault.
 * Bounded in time: a host that never answers is reported within about ten seconds.
 */
public final class DatabaseProbe {

  /** PostgreSQL 15 is the oldest server Phylax supports. */
  static final int MINIMUM_MAJOR_VERSION = 15;

  static final int LOGIN_TIMEOUT_SECONDS = 10;

  private DatabaseProbe() {}

  public static void check(ExternalDatabase db) {
    try (Connection connection = connect(db.url(), db.user(), db.password())) {
      DatabaseMetaData meta = connection.getMetaData();
      if (meta.getDatabaseMajorVersion() < MINIMUM_MAJOR_VERSION) {
        throw new ConfigurationProblem(
            PhylaxSettings.DB_URL
                + ": "
                + db.location()
                + " runs PostgreSQL "
                + meta.getDatabaseProductVersion()
                + "; Phylax needs "
                + MINIMUM_MAJOR_VERSION
                + " or newer");
      }
    } catch (SQLException e) {
      throw new ConfigurationProblem(explain(e, db));
    }
  }

  /** Opens a connection with bounded connect, login and read timeouts. */
  static Connection connect(String url, String user, String password) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", "5");
    props.setProperty("loginTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
    props.setProperty("socketTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
    props.setProperty("ApplicationName", "phylax-probe");
    return new org.postgresql.Driver().connect(url, props);
  }

  static String explain(SQLException e, ExternalDatabase db) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String where = db.location();
    if (state.equals("28P01") || state.equals("28000")) {
      return PhylaxSettings.DB_USER
          + "/"
          + PhylaxSettings.DB_PASSWORD
          + ": the database at "
          + where
          + " rejected the credentials of user '"
          + db.user()
          + "'";
    }
    if (state.equals("3D000")) {
      return PhylaxSettings.DB_URL
          + ": database '"
          + db.databaseName()
          + "' does not exist on "
          + db.host()
          + ":"
          + db.port();
    }
    Throwable cause = rootCause(e);
    if (cause instanceof ConnectException) {
      return PhylaxSettings.DB_URL
          + ": nothing answers at "
          + db.host()
          + ":"
          + db.port()
          + " (connection refused)";
    }
    if (cause instanceof UnknownHostException) {
      return PhylaxSettings.DB_URL + ": unknown host '" + db.host() + "'";
    }
    if (cause instanceof NoRouteToHostException) {
      return PhylaxSettings.DB_URL + ": no route to " + db.host() + ":" + db.port();
    }
    if (cause instanceof SocketTimeoutException
        || state.equals("08001") && String.valueOf(e.getMessage()).contains("timed out")) {
      return PhylaxSettings.DB_URL
          + ": "
          + db.host()
          + ":"
          + db.port()
          + " did not answer as PostgreSQL within "
          + LOGIN_TIMEOUT_SECONDS
          + " s";
    }
    return PhylaxSettings.DB_URL
        + ": cannot use the database at "
        + where
        + " (SQL state "
        + (state.isEmpty() ? "unknown" : state)
        + ")";
  }

  private static Throwable rootCause(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }
}
