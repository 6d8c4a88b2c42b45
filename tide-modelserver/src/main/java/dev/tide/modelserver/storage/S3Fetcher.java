package dev.tide.modelserver.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * Fetches every object under an {@code s3://bucket/prefix} with ListObjectsV2 and GET, signed with AWS Signature
 * Version 4, path-style, so S3-compatible stores (MinIO, Ceph, OSS's S3 API) work through an endpoint override.
 *
 * <p>The settings come from the environment KServe's storage initializer reads: {@code AWS_ACCESS_KEY_ID},
 * {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_REGION} (default us-east-1), {@code S3_ENDPOINT} (host[:port]) and
 * {@code S3_USE_HTTPS} (1 or 0). Tide fills them from the Secret an InferenceService names.
 */
public final class S3Fetcher implements Fetcher {

    /** Where and as whom to fetch; no keys means anonymous requests. */
    public record Settings(String endpoint, boolean https, String region, String accessKey, String secretKey) {

        public static Settings fromEnv(Map<String, String> env) {
            String endpoint = env.getOrDefault("S3_ENDPOINT", env.getOrDefault("AWS_ENDPOINT_URL", ""));
            boolean https = !"0".equals(env.getOrDefault("S3_USE_HTTPS", "1"));
            if (endpoint.startsWith("http://") || endpoint.startsWith("https://")) {
                https = endpoint.startsWith("https://");
                endpoint = endpoint.substring(endpoint.indexOf("://") + 3);
            }
            String region = env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
            if (endpoint.isEmpty()) {
                endpoint = "s3." + region + ".amazonaws.com";
            }
            return new Settings(endpoint, https, region, env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"));
        }
    }

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final HttpClient client;
    private final Settings settings;
    private final InstantSource clock;

    public S3Fetcher(HttpClient client, Settings settings, InstantSource clock) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public void fetch(StorageUri uri, Path into) throws IOException {
        StorageUri.S3 s3 = (StorageUri.S3) uri;
        List<String> keys = list(s3);
        if (keys.isEmpty()) {
            throw new IOException(uri.raw() + ": no objects under prefix \"" + s3.prefix() + "\" in bucket " + s3.bucket());
        }
        String base = s3.prefix().isEmpty() || s3.prefix().endsWith("/") || keys.size() > 1 || !keys.get(0).equals(s3.prefix())
                ? s3.prefix() : s3.prefix().substring(0, s3.prefix().lastIndexOf('/') + 1);
        for (String key : keys) {
            if (key.endsWith("/")) {
                continue;
            }
            String rel = key.substring(Math.min(base.length(), key.length()));
            rel = rel.startsWith("/") ? rel.substring(1) : rel;
            Path target = into.resolve(rel).normalize();
            if (!target.startsWith(into)) {
                throw new IOException(uri.raw() + ": object " + key + " would be written outside the model directory");
            }
            Files.createDirectories(target.getParent());
            HttpResponse<InputStream> res = send("/" + s3.bucket() + "/" + key, new TreeMap<>());
            try (InputStream body = res.body()) {
                if (res.statusCode() != 200) {
                    throw new IOException("GET s3://" + s3.bucket() + "/" + key + " answered " + res.statusCode() + ": "
                            + new String(body.readAllBytes(), StandardCharsets.UTF_8));
                }
                long expected = res.headers().firstValueAsLong("content-length").orElse(-1);
                long n = Files.copy(body, target);
                if (expected >= 0 && n != expected) {
                    throw new IOException("GET s3://" + s3.bucket() + "/" + key + ": received " + n + " of " + expected + " bytes");
                }
            }
        }
    }

    private List<String> list(StorageUri.S3 s3) throws IOException {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            TreeMap<String, String> q = new TreeMap<>();
            q.put("list-type", "2");
            q.put("prefix", s3.prefix());
            if (token != null) {
                q.put("continuation-token", token);
            }
            HttpResponse<InputStream> res = send("/" + s3.bucket(), q);
            byte[] body;
            try (InputStream in = res.body()) {
                body = in.readAllBytes();
            }
            if (res.statusCode() != 200) {
                throw new IOException("listing " + s3.raw() + " answered " + res.statusCode() + ": "
                        + new String(body, StandardCharsets.UTF_8));
            }
            Document doc = xml(body);
            NodeList contents = doc.getElementsByTagName("Key");
            for (int i = 0; i < contents.getLength(); i++) {
                keys.add(contents.item(i).getTextContent());
            }
            NodeList truncated = doc.getElementsByTagName("IsTruncated");
            NodeList next = doc.getElementsByTagName("NextContinuationToken");
            token = truncated.getLength() > 0 && "true".equals(truncated.item(0).getTextContent()) && next.getLength() > 0
                    ? next.item(0).getTextContent() : null;
        } while (token != null);
        return keys;
    }

    private static Document xml(byte[] body) throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(body));
        } catch (Exception e) {
            throw new IOException("unreadable S3 listing: " + e.getMessage(), e);
        }
    }

    private HttpResponse<InputStream> send(String path, TreeMap<String, String> query) throws IOException {
        String canonicalPath = encodePath(path);
        StringBuilder qs = new StringBuilder();
        query.forEach((k, v) -> qs.append(qs.isEmpty() ? "" : "&").append(encode(k)).append('=').append(encode(v)));
        URI uri = URI.create((settings.https() ? "https://" : "http://") + settings.endpoint() + canonicalPath
                + (qs.isEmpty() ? "" : "?" + qs));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        if (settings.accessKey() != null && settings.secretKey() != null) {
            sign(b, uri, canonicalPath, qs.toString());
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Signature Version 4 for a GET with an empty body: the canonical request (method, path, query, the host,
     * x-amz-content-sha256 and x-amz-date headers) hashed into the string to sign, signed with the key derived from the
     * secret, the date, the region and the service.
     */
    private void sign(HttpRequest.Builder b, URI uri, String canonicalPath, String canonicalQuery) {
        String amzDate = AMZ_DATE.format(clock.instant());
        String date = amzDate.substring(0, 8);
        String host = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        String signedHeaders = "host;x-amz-content-sha256;x-amz-date";
        String canonical = "GET\n" + canonicalPath + "\n" + canonicalQuery + "\n" + "host:" + host + "\n"
                + "x-amz-content-sha256:" + EMPTY_SHA256 + "\n" + "x-amz-date:" + amzDate + "\n\n" + signedHeaders + "\n"
                + EMPTY_SHA256;
        String scope = date + "/" + settings.region() + "/s3/aws4_request";
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonical));
        byte[] key = hmac(("AWS4" + settings.secretKey()).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, settings.region());
        key = hmac(key, "s3");
        key = hmac(key, "aws4_request");
        String signature = hex(hmac(key, toSign));
        b.header("x-amz-date", amzDate).header("x-amz-content-sha256", EMPTY_SHA256).header("Authorization",
                "AWS4-HMAC-SHA256 Credential=" + settings.accessKey() + "/" + scope + ", SignedHeaders=" + signedHeaders
                        + ", Signature=" + signature);
    }

    private static String encodePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String seg : path.split("/", -1)) {
            if (!sb.isEmpty() || seg.isEmpty()) {
                sb.append(sb.isEmpty() && seg.isEmpty() ? "" : "/");
            }
            sb.append(encode(seg));
        }
        return sb.toString().startsWith("/") ? sb.toString() : "/" + sb;
    }

    /** RFC 3986 percent-encoding as SigV4 wants it: unreserved characters as they are, space as %20. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
