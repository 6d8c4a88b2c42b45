package dev.tide.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Python clients the tests drive Tide with (tide-it/src/test/python/requirements.txt), in the virtualenv that
 * {@code ./tide test} makes under target/python-clients, or the Python that {@code TIDE_IT_PYTHON} names.
 */
final class PythonClients {

    private PythonClients() {
    }

    static String python() {
        String fromEnv = System.getenv("TIDE_IT_PYTHON");
        Path python = fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv)
                : Exec.repo().resolve("target/python-clients/bin/python");
        if (!Files.isExecutable(python)) {
            throw new AssertionError("no Python with the test clients at " + python + ": run the tests with ./tide test, which "
                    + "installs tide-it/src/test/python/requirements.txt there, or set TIDE_IT_PYTHON");
        }
        return python.toString();
    }

    static String script(String name) {
        return Exec.repo().resolve("tide-it/src/test/python").resolve(name).toString();
    }
}
