// OneGo on Azure operated by 21Vianet (世纪互联): the data stays in China. Container Apps run the nodes and the
// migration job, PostgreSQL Flexible Server holds the database on a private network, a storage account the blobs, a
// second, write-once account the audit checkpoints, and Key Vault every secret, read by the apps through their managed
// identity. The settings are those of the Kubernetes manifests (infra/kubernetes/onego.yaml); the steps around a
// deployment (the database roles, the key-protection certificate, running the migration) are in infra/README.md.
//   az cloud set -n AzureChinaCloud
//   az deployment group create -g onego -f infra/azure/main.bicep -p infra/azure/main.bicepparam

targetScope = 'resourceGroup'

@description('Azure operated by 21Vianet: only regions in mainland China, so that no data leaves it.')
@allowed([
  'chinanorth3'
  'chinaeast2'
  'chinanorth2'
])
param location string = 'chinanorth3'

@description('Names every resource (onego → onego-db, onego-kv …); lowercase letters and digits.')
@minLength(3)
@maxLength(11)
param name string = 'onego'

@description('The registry the OneGo image is pulled from, with the apps\' managed identity (grant it AcrPull there).')
param registry string

@description('The version of the OneGo image to run, pinned (e.g. 1.0.0): never latest, so that every node and the migration run the same build.')
@minLength(1)
param imageVersion string

@description('Identity:Issuer: the public address every node names as token issuer.')
param issuer string

@description('Mail:Host: the SMTP server for set-password links and notices.')
param mailHost string

@description('Nodes at least; two or more, so that one serves while another restarts or moves.')
@minValue(2)
param minReplicas int = 3

@maxValue(30)
param maxReplicas int = 6

@description('Days of PostgreSQL backups kept for point-in-time restore (7 to 35).')
@minValue(7)
@maxValue(35)
param backupRetentionDays int = 35

@description('Days an audit checkpoint cannot be changed or deleted: at least the six months of 网络安全法 article 21.')
@minValue(180)
param auditRetentionDays int = 1825

@description('Days a deleted or overwritten blob can be brought back.')
@minValue(7)
@maxValue(365)
param blobSoftDeleteDays int = 30

@description('The server\'s administrator login: used once, to create OneGo\'s two roles (infra/README.md).')
param postgresAdminLogin string = 'onego_admin'

@secure()
param postgresAdminPassword string

@secure()
@description('The password of onego_owner, the tables\' owner: the migration job connects as it.')
param ownerPassword string

@secure()
@description('The password of onego_app, the role the nodes connect as, under row-level security.')
param appPassword string

@secure()
@description('Audit:CheckpointKey: the base64 key (at least 32 bytes) that signs the audit checkpoints; never in the database.')
param auditCheckpointKey string

param addressSpace string = '10.40.0.0/16'
param appsSubnet string = '10.40.0.0/23'
param databaseSubnet string = '10.40.2.0/24'

// Availability zones in Azure China: China North 3 has them; elsewhere high availability keeps its standby in the
// same zone.
var zones = location == 'chinanorth3'
var image = '${registry}/onego/server:${imageVersion}'
var compact = replace(name, '-', '')
var database = 'onego'
// Flexible servers are named under "postgres" + the SQL hostname suffix in Azure China (….postgres.database.chinacloudapi.cn).
var postgresSuffix = 'postgres${environment().suffixes.sqlServerHostname}'
var keyVaultSecretsUser = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-apps'
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${name}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    // 网络安全法 article 21: network logs kept at least six months.
    retentionInDays: 180
  }
}

// ---- Network: the apps and the database on one private network; the database has no public address.

resource network 'Microsoft.Network/virtualNetworks@2024-01-01' = {
  name: '${name}-net'
  location: location
  properties: {
    addressSpace: { addressPrefixes: [addressSpace] }
    subnets: [
      {
        name: 'apps'
        properties: {
          addressPrefix: appsSubnet
          delegations: [{ name: 'apps', properties: { serviceName: 'Microsoft.App/environments' } }]
          // Storage and Key Vault admit this subnet only.
          serviceEndpoints: [{ service: 'Microsoft.Storage' }, { service: 'Microsoft.KeyVault' }]
        }
      }
      {
        name: 'database'
        properties: {
          addressPrefix: databaseSubnet
          delegations: [{ name: 'database', properties: { serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers' } }]
        }
      }
    ]
  }
}

resource postgresZone 'Microsoft.Network/privateDnsZones@2020-06-01' = {
  name: '${name}.private.${postgresSuffix}'
  location: 'global'
}

resource postgresZoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = {
  parent: postgresZone
  name: network.name
  location: 'global'
  properties: {
    registrationEnabled: false
    virtualNetwork: { id: network.id }
  }
}

// ---- PostgreSQL: high availability across zones where the region has them, backups kept in the paired region.

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: '${name}-db'
  location: location
  sku: { name: 'Standard_D4ds_v5', tier: 'GeneralPurpose' }
  properties: {
    version: '16'
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    authConfig: { passwordAuth: 'Enabled', activeDirectoryAuth: 'Disabled' }
    storage: { storageSizeGB: 256, autoGrow: 'Enabled' }
    backup: {
      backupRetentionDays: backupRetentionDays
      // 数据备份恢复: the backups are also kept in the paired region (inside China), for a restore after losing one.
      geoRedundantBackup: 'Enabled'
    }
    highAvailability: { mode: zones ? 'ZoneRedundant' : 'SameZone' }
    network: {
      delegatedSubnetResourceId: '${network.id}/subnets/database'
      privateDnsZoneArmResourceId: postgresZone.id
      publicNetworkAccess: 'Disabled'
    }
  }
  dependsOn: [postgresZoneLink]
}

resource onegoDatabase 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: postgres
  name: database
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
}

// ---- Blobs: publications, files and audit checkpoints, versioned and kept after deletion; private, TLS 1.2.

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: '${compact}blobs${uniqueString(resourceGroup().id)}'
  location: location
  kind: 'StorageV2'
  sku: { name: zones ? 'Standard_GZRS' : 'Standard_GRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // The server reaches the account with its connection string (Blobs:ConnectionString), which carries the key.
    allowSharedKeyAccess: true
    allowCrossTenantReplication: false
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      virtualNetworkRules: [{ id: '${network.id}/subnets/apps', action: 'Allow' }]
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    isVersioningEnabled: true
    // The change feed lets the audit checkpoints replicate to the write-once account below.
    changeFeed: { enabled: true, retentionInDays: blobSoftDeleteDays }
    deleteRetentionPolicy: { enabled: true, days: blobSoftDeleteDays }
    containerDeleteRetentionPolicy: { enabled: true, days: blobSoftDeleteDays }
  }
}

resource blobContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'onego'
  properties: { publicAccess: 'None' }
}

// ---- Audit checkpoints: the server writes them create-only under audit/checkpoints/ in its container, beside files
// it must be able to delete (a draft's replaced material), so no write-once policy can cover that container. Object
// replication copies that prefix into a container of an account of its own under a time-based immutability policy
// (WORM): neither the server's key nor anyone else can change or delete a copy there before it expires.

resource auditStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: '${compact}audit${uniqueString(resourceGroup().id)}'
  location: location
  kind: 'StorageV2'
  sku: { name: zones ? 'Standard_GZRS' : 'Standard_GRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // No key: only replication writes here, and people read with their Entra ID roles.
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' }
  }
}

resource auditBlobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: auditStorage
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: { enabled: true, days: blobSoftDeleteDays }
    containerDeleteRetentionPolicy: { enabled: true, days: blobSoftDeleteDays }
  }
}

resource auditContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: auditBlobService
  name: 'audit-checkpoints'
  properties: { publicAccess: 'None' }
}

// Unlocked when created, so that a wrong period can still be corrected; lock it once checked (infra/README.md):
// locked, it can only be extended.
resource auditImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = {
  parent: auditContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: auditRetentionDays
    allowProtectedAppendWrites: false
  }
}

// The destination's half of the replication; Azure names the policy and its rule, which the source's half repeats.
resource auditReplication 'Microsoft.Storage/storageAccounts/objectReplicationPolicies@2023-05-01' = {
  parent: auditStorage
  name: 'default'
  properties: {
    sourceAccount: storage.id
    destinationAccount: auditStorage.id
    rules: [
      {
        sourceContainer: blobContainer.name
        destinationContainer: auditContainer.name
        // AuditCheckpoints.Folder in the server.
        filters: { prefixMatch: ['audit/checkpoints/'] }
      }
    ]
  }
  dependsOn: [auditImmutability]
}

module auditReplicationSource 'replication.bicep' = {
  name: '${name}-audit-replication'
  params: {
    account: storage.name
    policyId: auditReplication.properties.policyId
    sourceAccount: storage.id
    destinationAccount: auditStorage.id
    rules: auditReplication.properties.rules
  }
}

// ---- Key Vault: every secret, read by the apps with their identity; purge protection keeps a deleted one recoverable.

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${name}-kv-${take(uniqueString(resourceGroup().id), 8)}'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      virtualNetworkRules: [{ id: '${network.id}/subnets/apps' }]
    }
  }
}

var postgresHost = postgres.properties.fullyQualifiedDomainName

resource databaseAppSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'database-app'
  properties: {
    value: 'Host=${postgresHost};Database=${database};Username=onego_app;Password=${appPassword};SSL Mode=Require'
  }
}

resource databaseOwnerSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'database-owner'
  properties: {
    value: 'Host=${postgresHost};Database=${database};Username=onego_owner;Password=${ownerPassword};SSL Mode=Require'
  }
}

resource blobsSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'blobs'
  properties: {
    value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
  }
}

resource auditKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'audit-checkpoint-key'
  properties: { value: auditCheckpointKey }
}

resource secretsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: keyVaultSecretsUser
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---- The apps: one environment on the private network, the nodes and the migration job with the same settings.

resource appsEnvironment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${name}-apps'
  location: location
  properties: {
    vnetConfiguration: { infrastructureSubnetId: '${network.id}/subnets/apps' }
    zoneRedundant: zones
    workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }]
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

// Each secret is a reference into Key Vault, read with the apps' identity; none is in the template's values.
// key-protection is the certificate imported into the vault (infra/README.md): its secret is the PKCS#12 file.
var vaultSecrets = ['database-app', 'database-owner', 'blobs', 'audit-checkpoint-key', 'key-protection']
var secrets = [for secret in vaultSecrets: {
  name: secret
  keyVaultUrl: 'https://${vault.name}${environment().suffixes.keyvaultDns}/secrets/${secret}'
  identity: identity.id
}]

// The Kubernetes ConfigMap's settings (infra/kubernetes/onego.yaml), and the secrets both apps take.
var settings = [
  { name: 'ASPNETCORE_ENVIRONMENT', value: 'Production' }
  { name: 'ASPNETCORE_URLS', value: 'http://+:8080' }
  { name: 'Database__Provider', value: 'postgres' }
  { name: 'Database__AppRole', value: 'onego_app' }
  // Migrations are the job below: a node refuses to start against pending ones.
  { name: 'Database__MigrateOnStartup', value: 'false' }
  { name: 'Blobs__Provider', value: 'Azure' }
  { name: 'Blobs__Container', value: blobContainer.name }
  { name: 'Identity__Issuer', value: issuer }
  { name: 'Identity__KeyProtection__Certificate', value: '/etc/onego/keys/key-protection.pfx' }
  // Forwarded headers are believed from the environment's own proxies only.
  { name: 'Network__KnownNetworks', value: appsSubnet }
  { name: 'Mail__Host', value: mailHost }
  { name: 'Database__ConnectionString', secretRef: 'database-app' }
  { name: 'Blobs__ConnectionString', secretRef: 'blobs' }
  { name: 'Audit__CheckpointKey', secretRef: 'audit-checkpoint-key' }
]

// The migration alone connects as the tables' owner as well.
var ownerSettings = [{ name: 'Database__OwnerConnectionString', secretRef: 'database-owner' }]

var keyVolume = {
  name: 'key-protection'
  storageType: 'Secret'
  secrets: [{ secretRef: 'key-protection', path: 'key-protection.pfx' }]
}

var keyMount = { volumeName: 'key-protection', mountPath: '/etc/onego/keys' }

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: name
  location: location
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  properties: {
    environmentId: appsEnvironment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: { external: true, targetPort: 8080, transport: 'http', allowInsecure: false }
      registries: [{ server: registry, identity: identity.id }]
      secrets: secrets
    }
    template: {
      containers: [
        {
          name: 'onego'
          image: image
          env: settings
          resources: { cpu: json('2.0'), memory: '4Gi' }
          probes: [
            { type: 'Readiness', httpGet: { path: '/health/ready', port: 8080 }, periodSeconds: 5, failureThreshold: 3 }
            { type: 'Liveness', httpGet: { path: '/health/live', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 }
          ]
          volumeMounts: [keyMount]
        }
      ]
      scale: { minReplicas: minReplicas, maxReplicas: maxReplicas }
      volumes: [keyVolume]
    }
  }
  dependsOn: [secretsReader, databaseAppSecret, blobsSecret, auditKeySecret, onegoDatabase]
}

// The migration, started before each rollout (az containerapp job start): `migrate` as the tables' owner, then it stops.
resource migrate 'Microsoft.App/jobs@2024-03-01' = {
  name: '${name}-migrate'
  location: location
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  properties: {
    environmentId: appsEnvironment.id
    workloadProfileName: 'Consumption'
    configuration: {
      triggerType: 'Manual'
      manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 }
      replicaTimeout: 1800
      replicaRetryLimit: 1
      registries: [{ server: registry, identity: identity.id }]
      secrets: secrets
    }
    template: {
      containers: [
        {
          name: 'migrate'
          image: image
          args: ['migrate']
          env: concat(settings, ownerSettings)
          resources: { cpu: json('1.0'), memory: '2Gi' }
          volumeMounts: [keyMount]
        }
      ]
      volumes: [keyVolume]
    }
  }
  dependsOn: [secretsReader, databaseOwnerSecret, databaseAppSecret, blobsSecret, auditKeySecret, onegoDatabase]
}

output address string = 'https://${app.properties.configuration.ingress.fqdn}'
output vault string = vault.name
output postgresHost string = postgresHost
output migrationJob string = migrate.name
output auditAccount string = auditStorage.name
