package dev.tide.modelserver.storage;

import java.net.http.HttpClient;
import java.time.InstantSource;
import java.util.Map;

/** The fetchers a model cache uses, by scheme. */
public final class Fetchers {

    private Fetchers() {
    }

    /** {@code http}, {@code https} and {@code s3}, sharing one HTTP client, for a user fetching by hand. */
    public static Map<String, Fetcher> standard(HttpClient client, S3Fetcher.Settings s3, InstantSource clock) {
        return standard(client, s3, clock, StoragePolicy.UNRESTRICTED, java.net.InetAddress::getAllByName);
    }

    /** As above, each redirect hop checked against {@code policy}. */
    public static Map<String, Fetcher> standard(HttpClient client, S3Fetcher.Settings s3, InstantSource clock, StoragePolicy policy,
                                                StoragePolicy.Resolver dns) {
        HttpFetcher http = new HttpFetcher(client, policy, dns);
        return Map.of("http", http, "https", http, "s3", new S3Fetcher(client, s3, clock));
    }
}
