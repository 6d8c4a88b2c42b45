package dev.tide.controlplane.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Admission;
import dev.tide.api.FieldValidation;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.common.validation.ValidationException;
import dev.tide.controlplane.serving.Placement;
import dev.tide.store.Listing;
import dev.tide.store.ObjectKey;
import dev.tide.store.Store;
import dev.tide.store.StoreException;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The object lifecycle Kubernetes gives custom resources, on top of the store: server-set metadata
 * ({@code uid}, {@code creationTimestamp}, {@code generation}), admission (defaults and validation) on every
 * write, a {@code status} that only its controller writes, and {@code generation} bumped only when the spec
 * changes. The API server and the reconcilers both write through it, so no object skips admission.
 */
public final class Registry {

    /**
     * The outcome of a write.
     *
     * @param warnings admission warnings, sent to kubectl as {@code Warning} headers
     */
    public record Written(ObjectNode object, List<String> warnings, boolean created) {
    }

    /**
     * How a write from the API is made.
     *
     * @param dryRun admit the object and answer what would be stored, storing nothing ({@code ?dryRun=All}, for
     *               {@code kubectl apply --dry-run=server} and {@code kubectl diff})
     */
    public record Options(FieldValidation fieldValidation, boolean dryRun) {
        public static final Options STRICT = new Options(FieldValidation.STRICT, false);
    }

    private final Store store;
    private final InstantSource clock;
    private final ClusterConfigSource config;
    private final Supplier<String> uids;
    private final Placement placement;

    public Registry(Store store, InstantSource clock, ClusterConfigSource config, Supplier<String> uids) {
        this(store, clock, config, uids, Placement.LOCAL);
    }

    /**
     * @param placement where replicas run: admission warns about the limits local replicas are not held to, and about
     *                  the vendor annotations no pod carries
     */
    public Registry(Store store, InstantSource clock, ClusterConfigSource config, Supplier<String> uids, Placement placement) {
        this.store = store;
        this.clock = clock;
        this.config = config;
        this.uids = uids;
        this.placement = placement;
    }

    /** Where replicas run, as found when Tide started. */
    public Placement placement() {
        return placement;
    }

    public ClusterConfigSource config() {
        return config;
    }

    public Store store() {
        return store;
    }

    public static ObjectKey key(ResourceType type, String namespace, String name) {
        return new ObjectKey(type.groupResource(), namespace, name);
    }

    public Optional<ObjectNode> get(ResourceType type, String namespace, String name) {
        return store.get(key(type, namespace, name));
    }

    public Listing list(ResourceType type, String namespace) {
        return store.list(type.groupResource(), namespace);
    }

    /** The objects whose {@code label} is {@code value}: a lookup where the store indexes that label. */
    public Listing listByLabel(ResourceType type, String namespace, String label, String value) {
        return store.listByLabel(type.groupResource(), namespace, label, value);
    }

    /** Creates {@code body} in {@code namespace}; unknown fields are errors. */
    public Written create(ResourceType type, String namespace, ObjectNode body) {
        return create(type, namespace, body, Options.STRICT);
    }

    /** Creates {@code body} in {@code namespace}, its unknown fields handled and dry run as {@code options} say. */
    public Written create(ResourceType type, String namespace, ObjectNode body, Options options) {
        FieldValidation fieldValidation = options.fieldValidation();
        checkIdentity(type, namespace, body);
        ObjectNode meta = Meta.metadata(body);
        if (meta.hasNonNull("resourceVersion") && !meta.get("resourceVersion").asText().isEmpty()) {
            throw ApiException.badRequest("resourceVersion should not be set on objects to be created");
        }
        meta.put("namespace", namespace);
        meta.remove(List.of("uid", "creationTimestamp", "generation", "deletionTimestamp", "managedFields"));
        body.remove("status");
        Admission.Admitted admitted = admit(type, body, fieldValidation);
        ObjectNode obj = admitted.object();
        Meta.metadata(obj).put("uid", uids.get());
        Meta.metadata(obj).put("creationTimestamp", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        if (hasStatus(type)) {
            Meta.metadata(obj).put("generation", 1);
        }
        if (options.dryRun()) {
            if (get(type, namespace, Meta.name(obj)).isPresent()) {
                throw ApiException.alreadyExists(type, Meta.name(obj));
            }
            return new Written(obj, admitted.warnings(), true);
        }
        try {
            return new Written(store.create(key(type, namespace, Meta.name(obj)), obj), admitted.warnings(), true);
        } catch (StoreException.AlreadyExists e) {
            throw ApiException.alreadyExists(type, Meta.name(obj));
        }
    }

    /**
     * Replaces the object's user-owned parts (metadata labels and annotations, spec) with {@code body}'s, keeping
     * its status and server-set metadata.
     *
     * @param expectedResourceVersion a precondition, or {@code null}
     */
    public Written update(ResourceType type, String namespace, String name, ObjectNode body, String expectedResourceVersion) {
        return update(type, namespace, name, body, expectedResourceVersion, Options.STRICT);
    }

    /** As above, unknown fields handled and dry run as {@code options} say. */
    public Written update(ResourceType type, String namespace, String name, ObjectNode body, String expectedResourceVersion,
                          Options options) {
        FieldValidation fieldValidation = options.fieldValidation();
        checkIdentity(type, namespace, body);
        if (!name.equals(Meta.name(body))) {
            throw ApiException.badRequest("the name of the object (" + Meta.name(body) + ") does not match the name on the URL (" + name + ")");
        }
        ObjectNode current = get(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
        ObjectNode next = body.deepCopy();
        ObjectNode meta = Meta.metadata(next);
        ObjectNode currentMeta = Meta.metadata(current);
        for (String f : List.of("uid", "creationTimestamp", "generation")) {
            if (currentMeta.has(f)) {
                meta.set(f, currentMeta.get(f));
            } else {
                meta.remove(f);
            }
        }
        meta.put("namespace", namespace);
        meta.remove("managedFields");
        meta.remove("resourceVersion");
        if (hasStatus(type)) {
            next.remove("status");
            if (current.has("status")) {
                next.set("status", current.get("status"));
            }
        }
        Admission.Admitted admitted = admit(type, next, fieldValidation);
        ObjectNode obj = admitted.object();
        if (hasStatus(type) && !Json.sameJson(specOf(obj), specOf(current))) {
            if (type == ResourceTypes.REVISION) {
                throw ApiException.badRequest("validation failed: Immutable fields changed (-old +new): spec");
            }
            Meta.metadata(obj).put("generation", Meta.generation(current) + 1);
        }
        if (options.dryRun()) {
            if (expectedResourceVersion != null && !expectedResourceVersion.equals(Meta.resourceVersion(current))) {
                throw ApiException.conflict(type, name);
            }
            Meta.metadata(obj).put("resourceVersion", Meta.resourceVersion(current));
            return new Written(obj, admitted.warnings(), false);
        }
        return new Written(write(type, namespace, name, obj, expectedResourceVersion), admitted.warnings(), false);
    }

    /**
     * Writes {@code status} onto the stored object as its controller: spec and metadata are left alone. Conflicts
     * surface to the caller, which re-reads and retries on its next pass.
     */
    public ObjectNode updateStatus(ResourceType type, ObjectNode withStatus) {
        String namespace = Meta.namespace(withStatus);
        String name = Meta.name(withStatus);
        ObjectNode current = get(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
        if (!Meta.resourceVersion(current).equals(Meta.resourceVersion(withStatus))) {
            throw ApiException.conflict(type, name);
        }
        current.set("status", withStatus.get("status"));
        return write(type, namespace, name, current, Meta.resourceVersion(withStatus));
    }

    /** Removes an object; its children go when the garbage collector sees the deletion. */
    public ObjectNode delete(ResourceType type, String namespace, String name) {
        try {
            return store.delete(key(type, namespace, name));
        } catch (StoreException.NotFound e) {
            throw ApiException.notFound(type, name);
        }
    }

    private ObjectNode write(ResourceType type, String namespace, String name, ObjectNode obj, String expected) {
        try {
            return store.update(key(type, namespace, name), obj, expected);
        } catch (StoreException.Conflict e) {
            throw ApiException.conflict(type, name);
        } catch (StoreException.NotFound e) {
            throw ApiException.notFound(type, name);
        }
    }

    private Admission.Admitted admit(ResourceType type, ObjectNode obj, FieldValidation fieldValidation) {
        try {
            return Admission.admit(type, obj, config.current(), fieldValidation, placement.local(),
                    placement.cluster());
        } catch (ValidationException e) {
            throw ApiException.invalid(type, Meta.name(obj), e.errors());
        } catch (FieldValidation.UnknownFields e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static void checkIdentity(ResourceType type, String namespace, ObjectNode body) {
        String apiVersion = Meta.apiVersion(body);
        String kind = Meta.kind(body);
        if (!apiVersion.isEmpty() && !apiVersion.equals(type.apiVersion()) || !kind.isEmpty() && !kind.equals(type.kind())) {
            throw ApiException.badRequest("the object is a " + apiVersion + " " + kind + ", but the URL is for "
                    + type.apiVersion() + " " + type.kind());
        }
        body.put("apiVersion", type.apiVersion());
        body.put("kind", type.kind());
        String bodyNamespace = Meta.namespace(body);
        if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(namespace)) {
            throw ApiException.badRequest("the namespace of the provided object (" + bodyNamespace
                    + ") does not match the namespace sent on the request (" + namespace + ")");
        }
    }

    /** Knative's and KServe's kinds have a status subresource: users write spec, controllers write status. */
    public static boolean hasStatus(ResourceType type) {
        return !type.group().isEmpty();
    }

    private static JsonNode specOf(ObjectNode obj) {
        ObjectNode copy = obj.deepCopy();
        copy.remove(List.of("metadata", "status", "apiVersion", "kind"));
        return copy;
    }

}
