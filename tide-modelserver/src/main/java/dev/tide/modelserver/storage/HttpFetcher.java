package dev.tide.modelserver.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Fetches a model file or archive over HTTP(S); an archive is unpacked, a file keeps its name. Redirects (at most
 * {@value #MAX_REDIRECTS}) are followed here rather than by the client, so that each hop passes the storage policy:
 * a public URL that redirects to {@code http://127.0.0.1:8081/api/v1/...secrets} is refused at the hop.
 */
public final class HttpFetcher implements Fetcher {

    static final int MAX_REDIRECTS = 5;

    private final HttpClient client;
    private final StoragePolicy policy;
    private final StoragePolicy.Resolver dns;

    /** @param client should not follow redirects itself (it is asked to follow none) */
    public HttpFetcher(HttpClient client) {
        this(client, StoragePolicy.UNRESTRICTED, java.net.InetAddress::getAllByName);
    }

    public HttpFetcher(HttpClient client, StoragePolicy policy, StoragePolicy.Resolver dns) {
        this.client = client;
        this.policy = policy;
        this.dns = dns;
    }

    @Override
    public void fetch(StorageUri uri, Path into) throws IOException {
        StorageUri.Http http = (StorageUri.Http) uri;
        String path = http.uri().getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty()) {
            throw new IOException(uri.raw() + " names no file");
        }
        java.net.URI target = http.uri();
        HttpResponse<InputStream> res;
        for (int hop = 0; ; hop++) {
            HttpRequest req = HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(30)).GET().build();
            try {
                res = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted fetching " + uri.raw(), e);
            }
            int code = res.statusCode();
            var location = res.headers().firstValue("location");
            if (code < 300 || code > 308 || code == 304 || location.isEmpty()) {
                break;
            }
            res.body().close();
            if (hop >= MAX_REDIRECTS) {
                throw new IOException("GET " + uri.raw() + ": more than " + MAX_REDIRECTS + " redirects");
            }
            target = target.resolve(location.get());
            var refused = policy.redirectRefusal(uri.raw(), target, dns);
            if (refused.isPresent()) {
                throw new IOException(refused.get());
            }
        }
        try (InputStream body = res.body()) {
            if (res.statusCode() != 200) {
                throw new IOException("GET " + uri.raw() + " answered " + res.statusCode());
            }
            long expected = res.headers().firstValueAsLong("content-length").orElse(-1);
            CountingInputStream counted = new CountingInputStream(body);
            if (Archives.isArchive(name)) {
                // The archive readers close what they read; keep the body open to drain and count the rest.
                Archives.unpack(name, new java.io.FilterInputStream(counted) {
                    @Override
                    public void close() {
                    }
                }, into);
            } else {
                Files.copy(counted, into.resolve(name));
            }
            counted.transferTo(java.io.OutputStream.nullOutputStream());
            if (expected >= 0 && counted.count() != expected) {
                throw new IOException("GET " + uri.raw() + ": received " + counted.count() + " bytes, Content-Length said "
                        + expected);
            }
        }
    }

    /** Counts the bytes read through it, to check them against Content-Length. */
    static final class CountingInputStream extends java.io.FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        long count() {
            return count;
        }
    }
}
