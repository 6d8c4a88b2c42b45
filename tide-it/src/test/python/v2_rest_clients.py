"""Calls a model over KServe's v2 REST protocol with Triton's HTTP client and KServe's Python SDK, as their users
do, in JSON and in the binary tensor data extension, and prints what came back as one JSON object:
python v2_rest_clients.py HOST:PORT AUTHORITY MODEL."""
import asyncio
import json
import sys

import numpy as np
import tritonclient.http as httpclient
from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig

url, authority, model = sys.argv[1:4]
# The ingress routes by Host, as Knative's does.
headers = {"Host": authority}
texts = np.array([b"Hello world", b"A cat sits on the mat."], dtype=np.object_)
out = {}

triton = httpclient.InferenceServerClient(url=url, connection_timeout=90, network_timeout=90)
out["triton"] = {
    "live": triton.is_server_live(headers=headers),
    "ready": triton.is_server_ready(headers=headers),
    "model_ready": triton.is_model_ready(model, headers=headers),
    "metadata": triton.get_model_metadata(model, headers=headers),
}
name = out["triton"]["metadata"]["outputs"][0]["name"]
for binary in (True, False):
    text = httpclient.InferInput("text", [2], "BYTES")
    text.set_data_from_numpy(texts, binary_data=binary)
    # A copy each time: the client adds Inference-Header-Content-Length to the dict it is given.
    result = triton.infer(model, [text], outputs=[httpclient.InferRequestedOutput(name, binary_data=binary)],
                          headers=dict(headers), request_id="7")
    out["triton"]["binary" if binary else "json"] = {
        "id": result.get_response()["id"], "shape": list(result.as_numpy(name).shape),
        "data": result.as_numpy(name).tolist()}


async def kserve_sdk():
    client = InferenceRESTClient(RESTConfig(protocol="v2", timeout=90))
    base = "http://" + url
    got = {"live": await client.is_server_live(base, headers=headers),
           "model_ready": await client.is_model_ready(base, model, headers=headers)}
    for binary in (True, False):
        text = InferInput(name="text", shape=[2], datatype="BYTES")
        text.set_data_from_numpy(texts, binary_data=binary)
        response = await client.infer(base, InferRequest(model_name=model, infer_inputs=[text], request_id="8"),
                                      model_name=model, headers=dict(headers))
        tensor = response.outputs[0].as_numpy()
        got["binary" if binary else "json"] = {"id": response.id, "shape": list(tensor.shape), "data": tensor.tolist()}
    await client.close()
    return got

out["kserve"] = asyncio.run(kserve_sdk())
print(json.dumps(out))
