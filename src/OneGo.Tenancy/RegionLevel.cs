namespace OneGo.Tenancy;

/// <summary>Where a region sits in the tree: national → province → city → district.</summary>
public enum RegionLevel
{
    /// <summary>The whole country; the root, with no division code.</summary>
    National,

    /// <summary>省, 自治区, 直辖市, 兵团. A municipality (直辖市) is a province whose children are districts.</summary>
    Province,

    /// <summary>地级市.</summary>
    City,

    /// <summary>区, 县.</summary>
    District,
}
