#!/usr/bin/env bash
# Writes the generated client, src/OneGo.Client/Generated, again from the committed OpenAPI document, openapi/v1.json,
# with the Kiota pinned in dotnet-tools.json. Run it after the document changes, and commit what it writes:
#   infra/generate-client.sh          the repository's own client
#   infra/generate-client.sh ROOT     from ROOT/openapi/v1.json into ROOT/src/OneGo.Client/Generated (the regeneration
#                                     test writes into a scratch copy of that layout and compares)
# The API speaks JSON only (problem details included), so the client registers Kiota's JSON serializer alone.
# The output depends only on the document and the options below: no update check or telemetry reaches the network
# (KIOTA_OFFLINE_ENABLED), --clean-output leaves no file of an earlier document behind, and kiota-lock.json records the
# document's hash and its location relative to the output, which is the same in every ROOT laid out like the repository.
set -euo pipefail
repository=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "${1:-$repository}" && pwd)
# The tool manifest is found from the repository's folder, whatever ROOT is.
cd "$repository"
dotnet tool restore >/dev/null
KIOTA_OFFLINE_ENABLED=true KIOTA_CLI_TELEMETRY_OPTOUT=true KIOTA_TUTORIAL_ENABLED=false \
  dotnet tool run kiota generate \
  --openapi "$root/openapi/v1.json" --output "$root/src/OneGo.Client/Generated" --clean-output \
  --language CSharp --class-name OneGoApiClient --namespace-name OneGo.Client --type-access-modifier Public \
  --exclude-backward-compatible --additional-data true \
  --structured-mime-types application/json \
  --serializer Microsoft.Kiota.Serialization.Json.JsonSerializationWriterFactory \
  --deserializer Microsoft.Kiota.Serialization.Json.JsonParseNodeFactory \
  --log-level Warning
