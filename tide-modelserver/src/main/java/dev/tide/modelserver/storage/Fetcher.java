package dev.tide.modelserver.storage;

import java.io.IOException;
import java.nio.file.Path;

/** Copies a remote model into an empty local directory. */
public interface Fetcher {

    /** @throws IOException naming the URI and what went wrong (status, missing object, size mismatch) */
    void fetch(StorageUri uri, Path into) throws IOException;
}
