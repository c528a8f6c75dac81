#!/bin/sh
# Container entrypoint of the default template (the Docker image runs it).
# Keep the provider-key block identical to install.sh: tools/check-template-parity compares them.
set -eu
CONFIG_DIR="${WORKSPACE_CONFIG_PATH:-/configs}"
mkdir -p "$CONFIG_DIR"

# The Docker backend hands over the config files (config.yaml, .auth_token, ...) as a base64
# tar in WORKSPACE_CONFIG_TAR: unpack them before anything reads them, and keep the variable
# out of the agent's environment.
if [ -n "${WORKSPACE_CONFIG_TAR:-}" ]; then
  printf '%s' "$WORKSPACE_CONFIG_TAR" | base64 -d | tar -xf - -C "$CONFIG_DIR"
  unset WORKSPACE_CONFIG_TAR
fi
# The Swarm backend hands them over as a secret file holding the same tar (not base64).
if [ -n "${WORKSPACE_CONFIG_TAR_FILE:-}" ] && [ -f "$WORKSPACE_CONFIG_TAR_FILE" ]; then
  tar -xf "$WORKSPACE_CONFIG_TAR_FILE" -C "$CONFIG_DIR"
fi
unset WORKSPACE_CONFIG_TAR_FILE

# Provider keys reach the agent through /configs/.env.
{
  echo "${ANTHROPIC_API_KEY:+ANTHROPIC_API_KEY=${ANTHROPIC_API_KEY}}"
  echo "${OPENAI_API_KEY:+OPENAI_API_KEY=${OPENAI_API_KEY}}"
  echo "${GEMINI_API_KEY:+GEMINI_API_KEY=${GEMINI_API_KEY}}"
  echo "${OPENROUTER_API_KEY:+OPENROUTER_API_KEY=${OPENROUTER_API_KEY}}"
  echo "${S3_ACCESS_KEY_ID:+S3_ACCESS_KEY_ID=${S3_ACCESS_KEY_ID}}"
} | grep -v '^$' > "$CONFIG_DIR/.env" || true
chmod 600 "$CONFIG_DIR/.env"

[ -f "$CONFIG_DIR/config.yaml" ] || printf 'name: "%s"\nruntime: "%s"\n' "$WORKSPACE_ID" "${RUNTIME:-langgraph}" > "$CONFIG_DIR/config.yaml"
echo "start.sh: starting workspace $WORKSPACE_ID on ${AGENT_HOST:-0.0.0.0}:${AGENT_PORT:-8000}"
exec /usr/local/bin/workspace-agent
