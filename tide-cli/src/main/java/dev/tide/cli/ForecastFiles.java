package dev.tide.cli;

import dev.tide.autoscaler.SeasonalForecast;
import dev.tide.controlplane.scaling.ScalingDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

/**
 * The predictive option's history in the data dir ({@code forecasts/NAMESPACE/REVISION.tsv}, a {@code minute peak}
 * line per minute), so a restarted Tide forecasts from the days it already saw. Everything is read once, when Tide
 * starts, so the scaling loop never waits on a disk; writes go to the blocking executor, each to a temporary file
 * moved into place, so a crash leaves the previous history whole.
 */
final class ForecastFiles implements ScalingDriver.ForecastStore {

    private static final System.Logger LOG = System.getLogger(ForecastFiles.class.getName());

    private final Path dir;
    private final Executor blocking;
    private final Map<String, List<SeasonalForecast.MinutePeak>> loaded = new ConcurrentHashMap<>();
    /** Bumped by each delete, so a save queued before it cannot bring a deleted revision's history back. */
    private final Map<String, Long> generation = new ConcurrentHashMap<>();

    ForecastFiles(Path dir, Executor blocking) {
        this.dir = dir;
        this.blocking = blocking;
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir, 2)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".tsv")).toList()) {
                String name = f.getFileName().toString();
                loaded.put(f.getParent().getFileName() + "/" + name.substring(0, name.length() - 4), read(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading forecast histories in " + dir, e);
        }
    }

    private static List<SeasonalForecast.MinutePeak> read(Path f) throws IOException {
        List<SeasonalForecast.MinutePeak> out = new ArrayList<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String[] cols = line.split("\t");
            if (cols.length == 2) {
                try {
                    out.add(new SeasonalForecast.MinutePeak(Long.parseLong(cols[0]), Double.parseDouble(cols[1])));
                } catch (NumberFormatException e) {
                    // a line cut short by a crash before the move: the rest of the history still counts
                }
            }
        }
        return out;
    }

    @Override
    public List<SeasonalForecast.MinutePeak> load(String namespace, String revision) {
        List<SeasonalForecast.MinutePeak> h = loaded.remove(namespace + "/" + revision);
        return h == null ? List.of() : h;
    }

    @Override
    public void save(String namespace, String revision, List<SeasonalForecast.MinutePeak> history) {
        StringBuilder b = new StringBuilder(history.size() * 20);
        for (SeasonalForecast.MinutePeak m : history) {
            b.append(m.minute()).append('\t').append(m.peak()).append('\n');
        }
        String text = b.toString();
        String key = namespace + "/" + revision;
        long asOf = generation.getOrDefault(key, 0L);
        blocking.execute(() -> write(key, asOf, namespace, revision, text));
    }

    /** One write at a time, so that a later save never loses to an earlier one, nor to a delete. */
    private synchronized void write(String key, long asOf, String namespace, String revision, String text) {
        if (generation.getOrDefault(key, 0L) != asOf) {
            return;
        }
        try {
            Path target = file(namespace, revision);
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not save the forecast history of " + namespace + "/" + revision, e);
        }
    }

    @Override
    public void delete(String namespace, String revision) {
        String key = namespace + "/" + revision;
        loaded.remove(key);
        generation.merge(key, 1L, Long::sum);
        blocking.execute(() -> remove(namespace, revision));
    }

    private synchronized void remove(String namespace, String revision) {
        try {
            Files.deleteIfExists(file(namespace, revision));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names are DNS labels (admission checks), so they are safe as path segments. */
    private Path file(String namespace, String revision) {
        return dir.resolve(namespace).resolve(revision + ".tsv");
    }
}
