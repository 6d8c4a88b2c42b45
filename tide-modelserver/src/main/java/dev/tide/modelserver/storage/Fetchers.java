package dev.tide.modelserver.storage;

import java.net.http.HttpClient;
import java.time.InstantSource;
import java.util.Map;

/** The fetchers a model cache uses, by scheme. */
public final class Fetchers {

    private Fetchers() {
    }

    /** {@code http}, {@code https} and {@code s3}, sharing one HTTP client. */
    public static Map<String, Fetcher> standard(HttpClient client, S3Fetcher.Settings s3, InstantSource clock) {
        HttpFetcher http = new HttpFetcher(client);
        return Map.of("http", http, "https", http, "s3", new S3Fetcher(client, s3, clock));
    }
}
