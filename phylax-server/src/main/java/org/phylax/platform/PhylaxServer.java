package org.phylax.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.phylax.PhylaxApplication;
import org.phylax.platform.internal.DatabaseProbe;
import org.phylax.platform.internal.EmbeddedPostgres;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.MapPropertySource;

/**
 * A running Phylax: checks the configuration, brings up the database (the operator's, or the
 * embedded one) and then the application, and stops them in the reverse order. Everything that
 * starts Phylax — {@code serve}, {@code demo}, tests — goes through {@link #start}.
 */
public final class PhylaxServer implements AutoCloseable {

  private final ConfigurableApplicationContext context;
  private final EmbeddedPostgres embedded;
  private final CountDownLatch closed = new CountDownLatch(1);

  private PhylaxServer(ConfigurableApplicationContext context, EmbeddedPostgres embedded) {
    this.context = context;
    this.embedded = embedded;
  }

  /**
   * Starts Phylax with these settings and returns once it serves requests.
   *
   * @throws ConfigurationProblem when a setting is wrong or what it names cannot be used: the
   *     database does not answer or refuses the credentials, the port is taken, and so on
   */
  public static PhylaxServer start(PhylaxSettings settings) {
    settings
        .externalDatabase()
        .ifPresentOrElse(DatabaseProbe::check, () -> EmbeddedPostgres.checkConfiguration(settings));

    EmbeddedDatabaseStarter starter = new EmbeddedDatabaseStarter(settings);
    SpringApplication app = new SpringApplication(PhylaxApplication.class);
    app.setRegisterShutdownHook(false); // close() orders the shutdown: application, then database
    app.setAdditionalProfiles(settings.profile().key());
    app.addListeners(starter);
    try {
      ConfigurableApplicationContext context = app.run(commandLine(settings));
      return new PhylaxServer(context, starter.server);
    } catch (RuntimeException e) {
      if (starter.server != null) {
        starter.server.close();
      }
      throw translate(e, settings);
    }
  }

  /** The port the server listens on. */
  public int port() {
    return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  public URI baseUri() {
    return URI.create("http://localhost:" + port() + "/");
  }

  /** The Spring context, for the code that starts Phylax and for tests. */
  public ConfigurableApplicationContext context() {
    return context;
  }

  /** Closes Phylax when the JVM is asked to stop (SIGTERM, Ctrl-C). */
  public PhylaxServer closeOnShutdown() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "phylax-shutdown"));
    return this;
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitClose() throws InterruptedException {
    closed.await();
  }

  /** Stops the application, then the embedded database. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed.getCount() == 0) {
      return;
    }
    try {
      context.close();
    } finally {
      if (embedded != null) {
        embedded.close();
      }
      closed.countDown();
    }
  }

  private static String[] commandLine(PhylaxSettings settings) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("server.port", Integer.toString(settings.port()));
    props.put("phylax.data-dir", settings.dataDir().toString());
    props.put("phylax.profile", settings.profile().key());
    if (settings.logFormat() == PhylaxSettings.LogFormat.JSON) {
      props.put("logging.structured.format.console", "ecs");
    }
    settings
        .externalDatabase()
        .ifPresent(
            db -> {
              props.put("spring.datasource.url", db.url());
              props.put("spring.datasource.username", db.user());
              props.put("spring.datasource.password", db.password());
            });
    List<String> args = new ArrayList<>();
    props.forEach((k, v) -> args.add("--" + k + "=" + v));
    return args.toArray(String[]::new);
  }

  private static RuntimeException translate(RuntimeException e, PhylaxSettings settings) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConfigurationProblem problem) {
        return problem;
      }
      if (t instanceof PortInUseException) {
        return new ConfigurationProblem(
            PhylaxSettings.PORT + ": port " + settings.port() + " is already in use");
      }
    }
    return e;
  }

  /**
   * Starts the embedded PostgreSQL once logging is set up (so its lines share the log format) and
   * before any bean needs the database, then points the data source at it.
   */
  private static final class EmbeddedDatabaseStarter
      implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    private final PhylaxSettings settings;
    private EmbeddedPostgres server;

    EmbeddedDatabaseStarter(PhylaxSettings settings) {
      this.settings = settings;
    }

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
      if (settings.externalDatabase().isPresent() || server != null) {
        return;
      }
      try {
        server = EmbeddedPostgres.start(settings.dataDir(), settings.embeddedDbOsUser());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Map<String, Object> props = new LinkedHashMap<>();
      props.put("spring.datasource.url", server.jdbcUrl());
      props.put("spring.datasource.username", server.user());
      props.put("spring.datasource.password", server.password());
      event
          .getEnvironment()
          .getPropertySources()
          .addFirst(new MapPropertySource("phylaxEmbeddedDatabase", props));
    }

    @Override
    public int getOrder() {
      return LoggingApplicationListener.DEFAULT_ORDER + 1;
    }
  }
}
