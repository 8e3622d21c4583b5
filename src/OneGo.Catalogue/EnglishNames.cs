namespace OneGo.Catalogue;

/// <summary>English names of the catalogue's enumerations, as labels (the pages phrase some of them for sentences).</summary>
public static class EnglishNames
{
    public static string ToEnglish(this Audience audience) => audience switch
    {
        Audience.Personal => "Citizens",
        _ => "Businesses",
    };

    public static string ToEnglish(this LifeTheme theme) => theme switch
    {
        LifeTheme.Birth => "Birth",
        LifeTheme.Schooling => "School",
        LifeTheme.Employment => "Work",
        LifeTheme.Housing => "Housing",
        LifeTheme.Marriage => "Marriage",
        LifeTheme.Childbearing => "Having children",
        LifeTheme.Medical => "Medical care",
        LifeTheme.Retirement => "Retirement",
        LifeTheme.Funeral => "After a death",
        LifeTheme.VeteranRetirement => "Leaving the armed forces",
        LifeTheme.Establishment => "Starting a business",
        LifeTheme.Operation => "Running a business",
        LifeTheme.Exit => "Closing a business",
        _ => "Other",
    };

    public static string ToEnglish(this MatterKind kind) => kind switch
    {
        MatterKind.Licence => "Administrative licensing",
        MatterKind.Confirmation => "Administrative confirmation",
        MatterKind.Payment => "Administrative payment",
        MatterKind.Levy => "Administrative levy",
        MatterKind.Award => "Administrative award",
        MatterKind.Adjudication => "Administrative adjudication",
        MatterKind.Inspection => "Administrative inspection",
        MatterKind.OtherPower => "Other administrative power",
        _ => "Public service",
    };

    public static string ToEnglish(this Channel channel) => channel switch
    {
        Channel.Online => "Online",
        Channel.Mobile => "Mobile app",
        Channel.Window => "Service window",
        Channel.Post => "By post",
        _ => "Self-service terminal",
    };

    public static string ToEnglish(this MaterialKind kind) => kind switch
    {
        MaterialKind.Certificate => "Certificate",
        MaterialKind.Proof => "Proof",
        MaterialKind.Form => "Form",
        MaterialKind.Licence => "Licence",
        MaterialKind.Contract => "Contract or agreement",
        MaterialKind.Photo => "Photo",
        _ => "Other",
    };
}
