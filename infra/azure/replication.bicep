// The source account's half of an object replication policy: Azure names the policy and its rules on the destination
// account first, and the source repeats them. A module of its own, because a resource's name (the policy id) must be
// known when a deployment starts, and a module's parameters may come from another resource.

@description('The source storage account\'s name.')
param account string

@description('The policy id Azure gave the destination\'s half.')
param policyId string

param sourceAccount string
param destinationAccount string

@description('The rules of the destination\'s half, with the rule ids Azure gave them.')
param rules array

resource source 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: account
}

resource policy 'Microsoft.Storage/storageAccounts/objectReplicationPolicies@2023-05-01' = {
  parent: source
  name: policyId
  properties: {
    sourceAccount: sourceAccount
    destinationAccount: destinationAccount
    rules: rules
  }
}
