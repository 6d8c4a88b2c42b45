package dev.tide.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A consistent snapshot of objects.
 *
 * @param items           copies, ordered by namespace then name
 * @param resourceVersion the store's version at the snapshot; a watch from it misses nothing
 */
public record Listing(List<ObjectNode> items, long resourceVersion) {
}
