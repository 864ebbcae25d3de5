package dev.errand.local.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An HTTP/1.1 server on bare sockets, one virtual thread per connection, with keep-alive, for the local
 * API stand-in. The JDK's HttpServer cannot play API Gateway's part: it drops the connection without an
 * answer at 200 request headers, and writes no reason phrase for statuses it does not know (207).
 * This one answers 431 where API Gateway's limit on the request line and header values is passed, and
 * writes every status with its IANA reason phrase.
 */
public final class Http1Server implements AutoCloseable {

    /** API Gateway's HTTP API quota: "total combined size of request line and header values". */
    public static final int MAX_LINE_AND_HEADER_VALUES_BYTES = 10_240;
    /** The raw head read at most, names and separators included: past this no request is read further. */
    static final int MAX_HEAD_BYTES = 64 * 1024;
    /** An idle kept-alive connection is closed after this, as the JDK's server does (sun.net.httpserver.idleInterval). */
    static final Duration IDLE = Duration.ofSeconds(30);

    /** One request: header names lower case, in arrival order; a repeated header keeps each value. */
    public record Request(String method, String target, String protocol, List<Map.Entry<String, String>> headers, byte[] body,
                          InetSocketAddress remote) {
        public Request {
            headers = List.copyOf(headers);
        }

        public URI uri() {
            return URI.create(target);
        }

        public Optional<String> header(String name) {
            return headers.stream().filter(h -> h.getKey().equals(name.toLowerCase(Locale.ROOT))).map(Map.Entry::getValue).findFirst();
        }
    }

    /** One answer; the server adds Content-Length and, when it closes, Connection: close. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public Response {
            headers = Map.copyOf(headers);
        }
    }

    @FunctionalInterface
    public interface Handler {
        Response handle(Request request);
    }

    /** Why a request could not be read, and what it is answered. */
    private static final class Refusal extends Exception {
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private final ServerSocket socket;
    private final Handler handler;
    private final int maxBodyBytes;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    public Http1Server(String host, int port, int maxBodyBytes, Handler handler) throws IOException {
        this.handler = handler;
        this.maxBodyBytes = maxBodyBytes;
        this.socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1000);
        Thread.ofVirtual().name("http1-accept-" + socket.getLocalPort()).start(this::accept);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
        open.forEach(Http1Server::quietly);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                open.add(client);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout((int) IDLE.toMillis());
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = new BufferedOutputStream(client.getOutputStream());
            boolean keepAlive = true;
            while (keepAlive) {
                Optional<Request> request;
                try {
                    request = read(in, out, (InetSocketAddress) client.getRemoteSocketAddress());
                } catch (Refusal r) {
                    write(out, new Response(r.status, Map.of("Content-Type", "application/json"),
                            ("{\"message\":\"" + Reasons.of(r.status) + "\"}").getBytes(StandardCharsets.UTF_8)), false, false);
                    return;
                }
                if (request.isEmpty()) {
                    return;
                }
                keepAlive = keepsAlive(request.get());
                Response response = handler.handle(request.get());
                write(out, response, keepAlive, request.get().method().equals("HEAD"));
            }
        } catch (SocketTimeoutException idle) {
            // a kept-alive connection left idle: closed, as any server does
        } catch (IOException e) {
            // the client went away; nothing to answer
        } finally {
            open.remove(client);
        }
    }

    /** The next request on the connection; empty when the client closed it between requests. */
    private Optional<Request> read(InputStream in, OutputStream out, InetSocketAddress remote) throws IOException, Refusal {
        List<String> lines = head(in);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        String[] requestLine = lines.getFirst().split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.") || !parses(requestLine[1])) {
            throw new Refusal(400, "malformed request line");
        }
        int counted = lines.getFirst().length();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            if (colon < 1) {
                throw new Refusal(400, "malformed header");
            }
            String value = line.substring(colon + 1).strip();
            counted += value.length();
            headers.add(Map.entry(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), value));
        }
        if (counted > MAX_LINE_AND_HEADER_VALUES_BYTES) {
            throw new Refusal(431, "request line and header values over " + MAX_LINE_AND_HEADER_VALUES_BYTES + " bytes");
        }
        Request partial = new Request(requestLine[0], requestLine[1], requestLine[2], headers, new byte[0], remote);
        if (partial.header("expect").filter(e -> e.equalsIgnoreCase("100-continue")).isPresent()) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body = body(in, partial);
        return Optional.of(new Request(partial.method(), partial.target(), partial.protocol(), headers, body, remote));
    }

    /** The head's lines up to the blank line; empty at a clean end of stream before any byte. */
    private static List<String> head(InputStream in) throws IOException, Refusal {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        int b;
        while ((b = in.read()) >= 0) {
            if (++total > MAX_HEAD_BYTES) {
                throw new Refusal(431, "request head over " + MAX_HEAD_BYTES + " bytes");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                text = text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                line.reset();
                if (text.isEmpty()) {
                    if (lines.isEmpty()) {
                        continue; // a stray CRLF between requests, which RFC 9112 says to ignore
                    }
                    return lines;
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
        if (total == 0 || lines.isEmpty() && line.size() == 0) {
            return List.of();
        }
        throw new IOException("the connection ended inside a request head");
    }

    private byte[] body(InputStream in, Request request) throws IOException, Refusal {
        if (request.header("transfer-encoding").filter(t -> t.toLowerCase(Locale.ROOT).contains("chunked")).isPresent()) {
            return chunked(in);
        }
        Optional<String> length = request.header("content-length");
        if (length.isEmpty()) {
            return new byte[0];
        }
        long size;
        try {
            size = Long.parseLong(length.get().strip());
        } catch (NumberFormatException e) {
            throw new Refusal(400, "bad Content-Length");
        }
        if (size > maxBodyBytes) {
            throw new Refusal(413, "body over " + maxBodyBytes + " bytes");
        }
        byte[] body = in.readNBytes((int) size);
        if (body.length < size) {
            throw new IOException("the connection ended inside a request body");
        }
        return body;
    }

    private byte[] chunked(InputStream in) throws IOException, Refusal {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in);
            int size;
            try {
                size = Integer.parseInt(sizeLine.split(";", 2)[0].strip(), 16);
            } catch (NumberFormatException e) {
                throw new Refusal(400, "bad chunk size");
            }
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailers: read and dropped, as API Gateway does not pass them on
                }
                return body.toByteArray();
            }
            if (body.size() + (long) size > maxBodyBytes) {
                throw new Refusal(413, "body over " + maxBodyBytes + " bytes");
            }
            body.write(in.readNBytes(size));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException, Refusal {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (line.size() >= MAX_HEAD_BYTES) {
                throw new Refusal(400, "chunk line too long");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static boolean parses(String target) {
        try {
            URI.create(target);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean keepsAlive(Request request) {
        String connection = request.header("connection").orElse("").toLowerCase(Locale.ROOT);
        return request.protocol().equals("HTTP/1.1") ? !connection.contains("close") : connection.contains("keep-alive");
    }

    private static void write(OutputStream out, Response response, boolean keepAlive, boolean head) throws IOException {
        StringBuilder text = new StringBuilder("HTTP/1.1 ").append(response.status()).append(' ').append(Reasons.of(response.status())).append("\r\n");
        response.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("connection") && !name.equalsIgnoreCase("transfer-encoding")) {
                text.append(name).append(": ").append(value).append("\r\n");
            }
        });
        text.append("Content-Length: ").append(response.body().length).append("\r\n");
        if (!keepAlive) {
            text.append("Connection: close\r\n");
        }
        text.append("\r\n");
        out.write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(response.body());
        }
        out.flush();
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }
}
