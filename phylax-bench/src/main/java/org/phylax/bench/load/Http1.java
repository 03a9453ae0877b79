package org.phylax.bench.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A deliberately small HTTP/1.1 client: one kept-alive connection, one request at a time, bodies by
 * Content-Length or chunked. The load generator shares two CPUs with the server it measures, and
 * the JDK's HttpClient spent about as much CPU per request as the server did; this leaves the
 * server most of the machine. Each load worker owns one.
 */
final class Http1 implements AutoCloseable {

  /** A status and a body (UTF-8). */
  record Response(int status, String body) {}

  private final String host;
  private final int port;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  Http1(URI base) {
    this.host = base.getHost();
    this.port = base.getPort();
  }

  Response send(String method, String path, String[] headers, String body) throws IOException {
    try {
      return exchange(method, path, headers, body);
    } catch (IOException stale) {
      // the server may close a kept-alive connection at any time; one fresh try
      close();
      return exchange(method, path, headers, body);
    }
  }

  private Response exchange(String method, String path, String[] headers, String body)
      throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 10_000);
      socket.setSoTimeout(120_000);
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = socket.getOutputStream();
    }
    byte[] payload = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(256);
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ");
    head.append(host).append(':').append(port).append("\r\n");
    for (String h : headers) {
      head.append(h).append("\r\n");
    }
    if (payload != null) {
      head.append("Content-Length: ").append(payload.length).append("\r\n");
    }
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
    if (payload == null) {
      out.write(h);
    } else {
      byte[] all = new byte[h.length + payload.length];
      System.arraycopy(h, 0, all, 0, h.length);
      System.arraycopy(payload, 0, all, h.length, payload.length);
      out.write(all);
    }
    out.flush();
    String status = line();
    if (status == null) {
      throw new IOException("connection closed");
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean closeAfter = false;
    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = l.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> closeAfter = value.equalsIgnoreCase("close");
        default -> {
          // not needed
        }
      }
    }
    ByteArrayOutputStream content = new ByteArrayOutputStream(length > 0 ? (int) length : 1024);
    if (chunked) {
      while (true) {
        String size = line();
        int semicolon = size.indexOf(';');
        int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (n == 0) {
          for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
            // trailers are not used
          }
          break;
        }
        copy(n, content);
        line();
      }
    } else if (length >= 0) {
      copy(length, content);
    } else {
      in.transferTo(content);
      closeAfter = true;
    }
    if (closeAfter) {
      close();
    }
    return new Response(code, content.toString(StandardCharsets.UTF_8));
  }

  private void copy(long n, ByteArrayOutputStream to) throws IOException {
    byte[] buffer = new byte[8192];
    while (n > 0) {
      int r = in.read(buffer, 0, (int) Math.min(buffer.length, n));
      if (r < 0) {
        throw new IOException("connection closed in a body");
      }
      to.write(buffer, 0, r);
      n -= r;
    }
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder(64);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int end = b.length();
        if (end > 0 && b.charAt(end - 1) == '\r') {
          b.setLength(end - 1);
        }
        return b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      socket = null;
    }
  }
}
