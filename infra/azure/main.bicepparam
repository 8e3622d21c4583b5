// A deployment's values. The secrets come from the deploying shell's environment, never from this file:
//   export ONEGO_POSTGRES_ADMIN_PASSWORD=… ONEGO_OWNER_PASSWORD=… ONEGO_APP_PASSWORD=… ONEGO_AUDIT_CHECKPOINT_KEY=$(openssl rand -base64 32)
using 'main.bicep'

param location = 'chinanorth3'
param registry = 'registry.example.gov.cn'
param imageVersion = '1.0.0'
param issuer = 'https://onego.example.gov.cn/'
param mailHost = 'smtp.example.gov.cn'
param postgresAdminPassword = readEnvironmentVariable('ONEGO_POSTGRES_ADMIN_PASSWORD')
param ownerPassword = readEnvironmentVariable('ONEGO_OWNER_PASSWORD')
param appPassword = readEnvironmentVariable('ONEGO_APP_PASSWORD')
param auditCheckpointKey = readEnvironmentVariable('ONEGO_AUDIT_CHECKPOINT_KEY')
