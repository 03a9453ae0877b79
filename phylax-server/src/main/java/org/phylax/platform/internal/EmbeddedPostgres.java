package org.phylax.platform.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.phylax.platform.ConfigurationProblem;
import org.phylax.platform.PhylaxSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server that Phylax runs for itself when no {@code PHYLAX_DB_URL} is set. Its
 * cluster lives in {@code DATA_DIR/pg} and survives restarts; the binaries come from the jar.
 *
 * <p>Phylax supervises the processes itself rather than through zonky's {@code EmbeddedPostgres}
 * class because PostgreSQL refuses to run as root: when Phylax is root, {@code initdb} and {@code
 * postgres} run as an unprivileged account ({@code PHYLAX_EMBEDDED_DB_OS_USER}, or the owner of an
 * existing cluster) that owns the cluster directory. The server listens on 127.0.0.1 only, on a
 * port chosen at each start, with SCRAM password authentication; the generated password is kept in
 * {@code DATA_DIR/pg-credentials} (mode 600).
 *
 * <p>A server left running by a Phylax process that was killed is found through its {@code
 * postmaster.pid} and stopped (fast shutdown, so nothing committed is lost) before a new one
 * starts.
 */
public final class EmbeddedPostgres implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);

  static final String SUPERUSER = "phylax";
  static final String DATABASE = "phylax";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final Path cluster;
  private final OsAccount account; // null: run as the current (non-root) user
  private final String password;
  private final int port;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile Path binaries;
  private Process process;

  private EmbeddedPostgres(
      Path dataDir, Path cluster, OsAccount account, String password, int port) {
    this.dataDir = dataDir;
    this.cluster = cluster;
    this.account = account;
    this.password = password;
    this.port = port;
  }

  /**
   * Checks what can be checked before anything starts: when running as root, that the account for
   * PostgreSQL exists and may own the cluster.
   */
  public static void checkConfiguration(PhylaxSettings settings) {
    if (OsAccount.currentIsRoot()) {
      account(settings.dataDir().resolve("pg"), settings.embeddedDbOsUser());
    }
  }

  /** Unpacks, initializes if needed and starts the server; returns once it accepts connections. */
  public static EmbeddedPostgres start(Path dataDir, String osUserWhenRoot) throws IOException {
    EmbeddedPostgres server = begin(dataDir, osUserWhenRoot);
    try {
      server.awaitReady();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * Fixes the port and credentials at once and brings the server up in the background, so that the
   * application can start alongside; {@link #awaitReady()} before the first connection.
   */
  public static EmbeddedPostgres begin(Path dataDir, String osUserWhenRoot) throws IOException {
    Path cluster = dataDir.resolve("pg");
    OsAccount account = OsAccount.currentIsRoot() ? account(cluster, osUserWhenRoot) : null;
    Path credentials = dataDir.resolve("pg-credentials");
    String password;
    if (!Files.exists(cluster.resolve("PG_VERSION"))) {
      password = randomPassword();
    } else if (Files.isReadable(credentials)) {
      password = Files.readString(credentials).strip();
    } else {
      throw new ConfigurationProblem(
          PhylaxSettings.DATA_DIR
              + ": "
              + credentials
              + " is missing, so the database in "
              + cluster
              + " cannot be opened; restore the file from a backup of the data directory");
    }
    EmbeddedPostgres server = new EmbeddedPostgres(dataDir, cluster, account, password, freePort());
    Thread starter = new Thread(server::bringUp, "embedded-postgres-start");
    starter.setDaemon(true);
    starter.start();
    return server;
  }

  /** Blocks until the server accepts connections; rethrows what stopped it from starting. */
  public void awaitReady() throws IOException {
    try {
      ready.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for PostgreSQL", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(cause);
    }
  }

  private void bringUp() {
    try {
      binaries = PostgresBinaries.unpack(dataDir.resolve("pg-dist"));
      if (account != null) {
        List<Path> opened = account.grantTraverse(binaries.resolve("bin"));
        opened.addAll(account.grantTraverse(cluster));
        log.info(
            "Phylax runs as root and PostgreSQL refuses to: the embedded PostgreSQL runs as OS"
                + " account '{}'{}",
            account.name(),
            opened.isEmpty() ? "" : ", granted it search permission (o+x) on " + opened);
      }
      if (!Files.exists(cluster.resolve("PG_VERSION"))) {
        initialize();
      }
      stopLeftover();
      launch();
      createDatabase();
      log.info(
          "Embedded PostgreSQL ready on 127.0.0.1:{} (cluster {}{})",
          port,
          cluster,
          account == null ? "" : ", OS account " + account.name());
      ready.complete(null);
    } catch (Throwable t) {
      ready.completeExceptionally(t);
    }
  }

  /** How to reach the embedded server another Phylax process is running on {@code dataDir}. */
  public static Optional<Connection> running(Path dataDir) {
    try {
      List<String> pid = Files.readAllLines(dataDir.resolve("pg/postmaster.pid"));
      String password = Files.readString(dataDir.resolve("pg-credentials")).strip();
      int port = Integer.parseInt(pid.get(3).strip());
      return Optional.of(
          new Connection(
              "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE, SUPERUSER, password));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** URL and credentials of a running embedded server. */
  public record Connection(String url, String user, String password) {
    @Override
    public String toString() {
      return "Connection[" + url + ", user=" + user + ", password=***]";
    }
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public String user() {
    return SUPERUSER;
  }

  public String password() {
    return password;
  }

  public int port() {
    return port;
  }

  /** Fast shutdown: open sessions end, everything committed is on disk. Idempotent. */
  @Override
  public synchronized void close() {
    try {
      ready.get(START_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
    } catch (Exception startFailedOrInterrupted) {
      // stop whatever did get started
    }
    if (process == null) {
      return;
    }
    try {
      if (process.isAlive()) {
        run(
            List.of(
                bin("pg_ctl"), "stop", "-D", cluster.toString(), "-m", "fast", "-w", "-t", "60"));
      }
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        log.warn("Embedded PostgreSQL did not stop in time; killing it");
        process.destroyForcibly();
      }
      log.info("Embedded PostgreSQL stopped");
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL stop failed ({}); killing it", e.getClass().getSimpleName());
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      process = null;
    }
  }

  private static OsAccount account(Path cluster, String configured) {
    if (Files.exists(cluster)) {
      // An existing cluster keeps the owner it has; PostgreSQL insists on it.
      try {
        int uid = (Integer) Files.getAttribute(cluster, "unix:uid");
        if (uid != 0) {
          return OsAccount.lookup(Integer.toString(uid))
              .orElseThrow(
                  () ->
                      new ConfigurationProblem(
                          PhylaxSettings.DATA_DIR
                              + ": "
                              + cluster
                              + " belongs to uid "
                              + uid
                              + ", which is no account on this system"));
        }
      } catch (IOException e) {
        throw new ConfigurationProblem(
            PhylaxSettings.DATA_DIR + ": cannot read the owner of " + cluster);
      }
    }
    Optional<OsAccount> account = OsAccount.lookup(configured);
    if (account.isEmpty() || account.get().uid() == 0) {
      throw new ConfigurationProblem(
          PhylaxSettings.EMBEDDED_DB_OS_USER
              + ": '"
              + configured
              + "' is not an unprivileged account on this system (Phylax runs as root, and"
              + " PostgreSQL must not)");
    }
    return account.get();
  }

  private void initialize() throws IOException {
    log.info("Creating the embedded PostgreSQL cluster in {}", cluster);
    // initdb works in a staging directory that is renamed into place when complete, so that an
    // interrupted first start never leaves a half-made cluster behind.
    Path staging = dataDir.resolve("pg-init");
    PostgresBinaries.deleteTree(staging);
    Files.createDirectory(
        staging,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path pwfile = staging.resolve("pwfile");
    Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
    if (account != null) {
      account.chown(staging);
      account.chown(pwfile);
    }
    Path stagedCluster = staging.resolve("data");
    List<String> command = new ArrayList<>();
    command.add(binaries.resolve("bin/initdb").toString());
    command.addAll(
        List.of(
            "-D",
            stagedCluster.toString(),
            "-U",
            SUPERUSER,
            "--pwfile=" + pwfile,
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-instructions"));
    run(command);
    Files.delete(pwfile);
    Path tmpCredentials = dataDir.resolve("pg-credentials.tmp");
    Files.writeString(tmpCredentials, password + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(tmpCredentials, PosixFilePermissions.fromString("rw-------"));
    Files.move(
        tmpCredentials,
        dataDir.resolve("pg-credentials"),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.move(stagedCluster, cluster, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    PostgresBinaries.deleteTree(staging);
  }

  /** Stops a server that a killed Phylax process left running on this cluster. */
  private void stopLeftover() throws IOException {
    Path pidFile = cluster.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
    } catch (RuntimeException e) {
      return; // unreadable: PostgreSQL itself judges and replaces a stale file
    }
    boolean running =
        ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .flatMap(h -> h.info().command())
            .map(c -> c.endsWith("/postgres"))
            .orElse(false);
    if (!running) {
      return; // stale file of a dead server: PostgreSQL removes it and recovers from its WAL
    }
    log.info(
        "Stopping the embedded PostgreSQL (pid {}) that an earlier Phylax process left running",
        pid);
    run(List.of(bin("pg_ctl"), "stop", "-D", cluster.toString(), "-m", "fast", "-w", "-t", "60"));
  }

  private void launch() throws IOException {
    Path logFile = cluster.getParent().resolve("pg.log");
    List<String> command = new ArrayList<>();
    command.add("setsid"); // its own session: a Ctrl-C or group signal is Phylax's to handle
    if (account != null) {
      command.addAll(account.runAs());
    }
    command.addAll(
        List.of(
            bin("postgres"),
            "-D",
            cluster.toString(),
            "-p",
            Integer.toString(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
            // Statements and key values could one day carry PHI; keep them out of the server log.
            "-c",
            "log_min_error_statement=panic",
            "-c",
            "log_error_verbosity=terse",
            "-c",
            "log_min_messages=warning"));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    process = pb.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "embedded PostgreSQL exited at start with status "
                + process.exitValue()
                + "; see "
                + logFile);
      }
      try (java.sql.Connection c = connect("postgres")) {
        return;
      } catch (SQLException e) {
        last = e;
        sleep(100);
      }
    }
    process.destroyForcibly();
    throw new IOException(
        "embedded PostgreSQL did not accept connections within "
            + START_TIMEOUT.toSeconds()
            + " s (last: SQL state "
            + (last == null ? "none" : last.getSQLState())
            + "); see "
            + logFile);
  }

  private void createDatabase() throws IOException {
    try (java.sql.Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("create database " + DATABASE);
    } catch (SQLException e) {
      throw new IOException(
          "cannot create database " + DATABASE + ": SQL state " + e.getSQLState());
    }
  }

  private java.sql.Connection connect(String database) throws SQLException {
    return DatabaseProbe.connect(
        "jdbc:postgresql://127.0.0.1:" + port + "/" + database, SUPERUSER, password);
  }

  private String bin(String name) {
    return binaries.resolve("bin").resolve(name).toString();
  }

  /** Runs a PostgreSQL tool to completion as the cluster's account; its output goes to our log. */
  private void run(List<String> command) throws IOException {
    List<String> full = new ArrayList<>();
    if (account != null) {
      full.addAll(account.runAs());
    }
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException(Path.of(command.get(0)).getFileName() + " did not finish in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      String tool = Path.of(command.get(0)).getFileName().toString();
      output.lines().forEach(line -> log.warn("{}: {}", tool, line));
      throw new IOException(tool + " failed with status " + p.exitValue());
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for PostgreSQL", e);
    }
  }
}
