package org.phylax.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.phylax.PhylaxApplication;
import org.phylax.platform.internal.DataDirLock;
import org.phylax.platform.internal.DatabaseProbe;
import org.phylax.platform.internal.EmbeddedPostgres;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
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
  private final Parts parts;

  private PhylaxServer(ConfigurableApplicationContext context, Parts parts) {
    this.context = context;
    this.parts = parts;
  }

  /**
   * Starts Phylax with these settings and returns once it serves requests.
   *
   * @throws ConfigurationProblem when a setting is wrong or what it names cannot be used: the
   *     database does not answer or refuses the credentials, the port is taken, and so on
   */
  public static PhylaxServer start(PhylaxSettings settings) {
    return start(settings, WebApplicationType.SERVLET);
  }

  /**
   * Starts Phylax without its web server, for CLI commands that work on the database ({@code keys
   * …}). When a Phylax server is running on the same data directory, the command uses that server's
   * embedded PostgreSQL instead of starting one, so it works whether or not the server is running.
   */
  public static PhylaxServer startTool(PhylaxSettings settings) {
    if (settings.externalDatabase().isEmpty()) {
      Optional<ExternalDatabase> running = attachToRunningServer(settings);
      if (running.isPresent()) {
        return start(settings.withDatabase(running.get()), WebApplicationType.NONE);
      }
    }
    return start(settings, WebApplicationType.NONE);
  }

  private static PhylaxServer start(PhylaxSettings settings, WebApplicationType type) {
    DataDirLock lock = null;
    if (settings.externalDatabase().isPresent()) {
      DatabaseProbe.check(settings.externalDatabase().get());
    } else {
      EmbeddedPostgres.checkConfiguration(settings);
      lock = DataDirLock.acquire(settings.dataDir());
    }
    EmbeddedDatabaseStarter starter = new EmbeddedDatabaseStarter(settings);
    // Registered before anything starts: a SIGTERM at any moment from here on (even while the
    // application is still starting) stops what has started, database last, and never leaves an
    // embedded PostgreSQL running on its own.
    Parts parts = new Parts(starter, lock);
    Runtime.getRuntime().addShutdownHook(parts.hook);
    SpringApplication app = new SpringApplication(PhylaxApplication.class);
    app.setWebApplicationType(type);
    app.setRegisterShutdownHook(false); // close() orders the shutdown: application, then database
    app.setAdditionalProfiles(settings.profile().key());
    app.addListeners(starter);
    app.addInitializers(
        context -> {
          parts.context = context;
          context.getBeanFactory().registerSingleton("phylaxSettings", settings);
          context.getBeanFactory().addBeanPostProcessor(starter.awaitBeforeDataSource());
        });
    try {
      String[] args = commandLine(settings);
      if (type == WebApplicationType.NONE) {
        // A CLI command prints its own results; the log only speaks up when something is wrong.
        args =
            java.util.stream.Stream.concat(
                    java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--logging.level.root=WARN"))
                .toArray(String[]::new);
      }
      return new PhylaxServer(app.run(args), parts);
    } catch (RuntimeException e) {
      parts.close();
      throw translate(e, settings);
    }
  }

  private static Optional<ExternalDatabase> attachToRunningServer(PhylaxSettings settings) {
    if (!DataDirLock.isHeld(settings.dataDir())) {
      return Optional.empty();
    }
    return EmbeddedPostgres.running(settings.dataDir())
        .map(c -> new ExternalDatabase(c.url(), c.user(), c.password()));
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

  /**
   * Blocks until Phylax has stopped: {@link #close()} was called, or the JVM was asked to stop
   * (SIGTERM, Ctrl-C), which closes every started Phylax.
   */
  public void awaitClose() throws InterruptedException {
    parts.closed.await();
  }

  /** Stops the application, then the embedded database. Idempotent. */
  @Override
  public void close() {
    parts.close();
  }

  /**
   * What one start has brought up so far, and the JVM shutdown hook that stops it: the application
   * context (once created), the embedded PostgreSQL (once begun), the data-directory lock.
   */
  private static final class Parts {
    private final EmbeddedDatabaseStarter starter;
    private final DataDirLock lock;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook = new Thread(this::stop, "phylax-shutdown");
    private volatile ConfigurableApplicationContext context;

    Parts(EmbeddedDatabaseStarter starter, DataDirLock lock) {
      this.starter = starter;
      this.lock = lock;
    }

    /** Closed by the code that started it: the hook is no longer needed. */
    void close() {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to; stop() below is idempotent
      }
      stop();
    }

    private synchronized void stop() {
      if (closed.getCount() == 0) {
        return;
      }
      try {
        if (context != null) {
          context.close();
        }
      } finally {
        if (starter.server != null) {
          starter.server.close();
        }
        if (lock != null) {
          lock.close();
        }
        closed.countDown();
      }
    }
  }

  private static String[] commandLine(PhylaxSettings settings) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("server.port", Integer.toString(settings.port()));
    props.put("spring.main.banner-mode", "off");
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
   * Starts the embedded PostgreSQL once logging is set up (so its lines share the log format),
   * points the data source at it, and lets the application context start alongside it; the data
   * source waits for it to be ready.
   */
  private static final class EmbeddedDatabaseStarter
      implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    private final PhylaxSettings settings;
    private volatile EmbeddedPostgres server;

    EmbeddedDatabaseStarter(PhylaxSettings settings) {
      this.settings = settings;
    }

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
      if (settings.externalDatabase().isPresent() || server != null) {
        return;
      }
      try {
        server = EmbeddedPostgres.begin(settings.dataDir(), settings.embeddedDbOsUser());
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

    /** Holds back the data source, and so everything that uses it, until PostgreSQL is up. */
    BeanPostProcessor awaitBeforeDataSource() {
      return new BeanPostProcessor() {
        @Override
        public Object postProcessBeforeInitialization(Object bean, String beanName) {
          if (bean instanceof DataSource && server != null) {
            try {
              server.awaitReady();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          return bean;
        }
      };
    }
  }
}
