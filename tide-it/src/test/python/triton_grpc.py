"""Calls a model over KServe's v2 gRPC protocol with Triton's client, as its users do, and prints what came back
as one JSON object: python triton_grpc.py HOST:PORT AUTHORITY MODEL."""
import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

url, authority, model = sys.argv[1:4]
# The ingress routes by :authority, as it routes HTTP/1.1 by Host.
client = grpcclient.InferenceServerClient(url=url, channel_args=[("grpc.default_authority", authority)])
out = {
    "live": client.is_server_live(client_timeout=90),
    "ready": client.is_server_ready(client_timeout=90),
    "model_ready": client.is_model_ready(model, client_timeout=90),
    "metadata": client.get_model_metadata(model, as_json=True, client_timeout=90),
}

text = grpcclient.InferInput("text", [2], "BYTES")
text.set_data_from_numpy(np.array([b"Hello world", b"A cat sits on the mat."], dtype=np.object_))
result = client.infer(model, [text], client_timeout=90)
name = result.get_response(as_json=True)["outputs"][0]["name"]
out["output"] = {"name": name, "shape": list(result.as_numpy(name).shape), "data": result.as_numpy(name).tolist()}

wrong = grpcclient.InferInput("text", [1], "FP32")
wrong.set_data_from_numpy(np.array([1.0], dtype=np.float32))
try:
    client.infer(model, [wrong], client_timeout=90)
    out["error"] = None
except InferenceServerException as e:
    out["error"] = {"status": e.status(), "message": e.message()}

print(json.dumps(out))
