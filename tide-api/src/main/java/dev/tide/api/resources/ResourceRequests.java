package dev.tide.api.resources;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a container requests ({@code resources.requests}; a limit stands for a missing request, as in Kubernetes):
 * CPU in cores and memory in bytes, 0 for none.
 */
public record ResourceRequests(double cpuCores, double memoryBytes) {

    public static final ResourceRequests NONE = new ResourceRequests(0, 0);

    /** From a container object; values that do not parse count as absent (admission refuses them). */
    public static ResourceRequests of(JsonNode container) {
        JsonNode resources = container.path("resources");
        return new ResourceRequests(amount(resources, "cpu"), amount(resources, "memory"));
    }

    private static double amount(JsonNode resources, String name) {
        JsonNode request = resources.path("requests").path(name);
        JsonNode value = request.isMissingNode() || request.isNull() ? resources.path("limits").path(name) : request;
        return value.isValueNode() ? Quantity.parse(value.asText()).orElse(0.0) : 0;
    }
}
