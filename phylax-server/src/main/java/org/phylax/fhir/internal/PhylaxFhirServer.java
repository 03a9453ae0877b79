package org.phylax.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.BufferedReader;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * HAPI's plain RestfulServer with Phylax's providers, JSON by default, and a cap on request bodies:
 * a body announced larger than {@link #MAX_BODY} is refused before it is read, and one that turns
 * out larger while being read is refused as soon as it crosses the cap.
 */
final class PhylaxFhirServer extends RestfulServer {

  private static final long serialVersionUID = 1L;

  /** The largest request body accepted: 10 MB. */
  static final long MAX_BODY = 10L * 1024 * 1024;

  private static final String TOO_LARGE = "The request body is larger than 10 MB.";

  private final transient List<Object> providers;
  private final transient Object[] interceptors;

  PhylaxFhirServer(FhirContext fhir, List<Object> providers, Object... interceptors) {
    super(fhir);
    this.providers = providers;
    this.interceptors = interceptors;
  }

  @Override
  protected void initialize() throws ServletException {
    setDefaultResponseEncoding(EncodingEnum.JSON);
    setDefaultPrettyPrint(false);
    registerProviders(providers);
    for (Object interceptor : interceptors) {
      registerInterceptor(interceptor);
    }
  }

  /**
   * The request's id is the one the request log gave it (echoed as {@code X-Request-Id} by the
   * platform's filter), so HAPI's own id, a fresh random string per request, is not drawn.
   */
  @Override
  protected String newRequestId(int length) {
    String id = org.slf4j.MDC.get(org.phylax.platform.RequestLog.REQUEST_ID_MDC_KEY);
    return id != null ? id : super.newRequestId(length);
  }

  /** The platform's filter has already echoed the id; HAPI would add a second header. */
  @Override
  protected void addRequestIdToResponse(
      ca.uhn.fhir.rest.server.servlet.ServletRequestDetails request, String requestId) {}

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > MAX_BODY) {
      response.setStatus(413);
      response.setContentType("application/fhir+json");
      response.setCharacterEncoding("UTF-8");
      response.setHeader("Connection", "close");
      response
          .getWriter()
          .write(
              getFhirContext()
                  .newJsonParser()
                  .encodeResourceToString(Outcomes.of(IssueType.TOOCOSTLY, TOO_LARGE)));
      return;
    }
    super.service(new LimitedBody(request), new FewerFlushes(response));
  }

  /**
   * Leaves it to the servlet container to send the answer as its buffer fills and when the request
   * ends. HAPI's JSON encoding goes through a Jackson ObjectMapper that flushes after every string
   * value it writes; passed on, each flush became an HTTP chunk and a TCP segment of its own, some
   * 20 bytes long, and an 80 KB Bundle took tens of milliseconds longer on the wire than to encode.
   */
  private static final class FewerFlushes extends HttpServletResponseWrapper {
    private PrintWriter writer;
    private ServletOutputStream stream;

    FewerFlushes(HttpServletResponse response) {
      super(response);
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      if (writer == null) {
        writer =
            new PrintWriter(
                new FilterWriter(super.getWriter()) {
                  @Override
                  public void flush() {
                    // the container flushes when its buffer is full and at the end
                  }
                });
      }
      return writer;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      if (stream == null) {
        ServletOutputStream out = super.getOutputStream();
        stream =
            new ServletOutputStream() {
              @Override
              public void write(int b) throws IOException {
                out.write(b);
              }

              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
              }

              @Override
              public void flush() {
                // as for the writer
              }

              @Override
              public void close() throws IOException {
                out.close();
              }

              @Override
              public boolean isReady() {
                return out.isReady();
              }

              @Override
              public void setWriteListener(WriteListener listener) {
                out.setWriteListener(listener);
              }
            };
      }
      return stream;
    }
  }

  /** Refuses to read past {@link #MAX_BODY}. */
  private static final class LimitedBody extends HttpServletRequestWrapper {
    private ServletInputStream stream;

    LimitedBody(HttpServletRequest request) {
      super(request);
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Capped(super.getInputStream());
      }
      return stream;
    }

    @Override
    public BufferedReader getReader() throws IOException {
      String encoding = getCharacterEncoding();
      Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
      return new BufferedReader(new InputStreamReader(getInputStream(), charset));
    }
  }

  private static final class Capped extends ServletInputStream {
    private final ServletInputStream in;
    private long read;

    Capped(ServletInputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) {
      read += n;
      if (read > MAX_BODY) {
        throw new PayloadTooLargeException(TOO_LARGE, Outcomes.of(IssueType.TOOCOSTLY, TOO_LARGE));
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}
