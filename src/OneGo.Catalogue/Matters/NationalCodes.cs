namespace OneGo.Catalogue;

/// <summary>
/// <para>The national matter codes. A matter of the national basic catalogue (国家政务服务事项基本目录) has a basic code
/// (事项基本编码); a region that implements it claims it (认领) by that code and may give its implementation code
/// (实施编码), which GB/T 39554.1-2020 composes of five parts joined by hyphens, for example
/// <c>511Z07001006-511602000000-000-11511301008778183N-1-00</c>:</para>
/// <list type="number">
/// <item>the basic code it implements (<c>511Z07001006</c>);</item>
/// <item>the 12-digit division code of the implementing region (<c>511602000000</c>): its first six digits are the
/// region's GB/T 2260 code, the other six name a township and village, or are zeros;</item>
/// <item>a 3-digit unit segment (<c>000</c>);</item>
/// <item>the implementing body's 统一社会信用代码 (<c>11511301008778183N</c>, 18 characters, GB 32100-2015);</item>
/// <item>the handling item (业务办理项, <c>1-00</c>): a digit, a hyphen and two digits.</item>
/// </list>
/// <para>What the standards fix exactly is checked exactly: the credit code's alphabet, digits and check character
/// (GB 32100-2015) and the division code's shape and its agreement with the region that owns the matter. The rest
/// is checked by shape. The README says which is which and where the composition comes from.</para>
/// </summary>
public static class NationalCodes
{
    /// <summary>Longest basic code accepted; the published ones have 12 to 14 characters.</summary>
    public const int BasicCodeMaxLength = 40;

    /// <summary>Longest implementation code: a basic code and the four fixed-length parts with their hyphens.</summary>
    public const int ImplementationCodeMaxLength = BasicCodeMaxLength + 41;

    /// <summary>
    /// The 31 characters of a 统一社会信用代码 (GB 32100-2015, appendix A): digits and capital letters without I, O, S, V
    /// and Z; a character's value in the check is its position here.
    /// </summary>
    public const string CreditCodeCharacters = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    /// <summary>The example the README and the messages show.</summary>
    public const string Example = "511Z07001006-511602000000-000-11511301008778183N-1-00";

    // GB 32100-2015: the weight of the i-th character (i = 1 … 17) is 3^(i-1) mod 31.
    private static ReadOnlySpan<int> CreditCodeWeights => [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Null for a basic code of the right shape; otherwise what is wrong (rule <see cref="ErrorRule.BasicCodeFormat"/>).</summary>
    public static string? CheckBasicCode(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var shape = $"A basic code (事项基本编码) is 1 to {BasicCodeMaxLength} capital letters and digits, in groups joined by single hyphens, for example '511Z07001006' or 'G-000007-001'";
        if (code.Length == 0 || code.Length > BasicCodeMaxLength)
            return $"{shape}; '{Shown(code)}' has {code.Length} characters.";
        var previous = '-';
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (c == '-' && previous == '-')
                return $"{shape}; '{Shown(code)}' has {(i == 0 ? "a hyphen first" : "two hyphens in a row")}.";
            if (c != '-' && !IsUpperLetterOrDigit(c))
                return $"{shape}; '{Shown(code)}' has '{Shown(c.ToString())}' at position {i + 1}.";
            previous = c;
        }
        return previous == '-' ? $"{shape}; '{Shown(code)}' ends with a hyphen." : null;
    }

    /// <summary>
    /// Checks a 统一社会信用代码 as GB 32100-2015 defines it: 18 characters of <see cref="CreditCodeCharacters"/>, the 3rd to
    /// 8th a registration authority's division code in digits, the 18th the check character computed from the first 17.
    /// Null when it holds; otherwise the rule broken (<see cref="ErrorRule.CreditCodeFormat"/> or
    /// <see cref="ErrorRule.CreditCodeCheck"/>) and a sentence.
    /// </summary>
    public static CodeProblem? CheckCreditCode(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (code.Length != 18)
            return new(ErrorRule.CreditCodeFormat, $"A 统一社会信用代码 has 18 characters (GB 32100-2015); '{Shown(code)}' has {code.Length}.");
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (CreditCodeCharacters.IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return new(ErrorRule.CreditCodeFormat,
                    $"'{Shown(code)}' has '{Shown(c.ToString())}' at position {i + 1}; a 统一社会信用代码 uses digits and the capital letters other than I, O, S, V and Z (GB 32100-2015).");
            }
            if (i is >= 2 and <= 7 && !char.IsAsciiDigit(c))
            {
                return new(ErrorRule.CreditCodeFormat,
                    $"'{Shown(code)}' has '{c}' at position {i + 1}; the 3rd to 8th characters of a 统一社会信用代码 are the registration authority's division code, in digits (GB 32100-2015).");
            }
        }
        var expected = CreditCodeCheckCharacter(code.AsSpan(0, 17));
        return code[17] == expected
            ? null
            : new(ErrorRule.CreditCodeCheck,
                $"'{code}' fails the check of GB 32100-2015: computed from its first 17 characters, its 18th would be '{expected}', not '{code[17]}'. A character is mistyped.");
    }

    /// <summary>The check character of GB 32100-2015 for the first 17 characters of a 统一社会信用代码 (all of <see cref="CreditCodeCharacters"/>).</summary>
    public static char CreditCodeCheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
            throw new ArgumentException("The check character is computed from exactly 17 characters.", nameof(first17));
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = CreditCodeCharacters.IndexOf(first17[i], StringComparison.Ordinal);
            if (value < 0)
                throw new ArgumentException($"'{first17[i]}' is not a character of a 统一社会信用代码.", nameof(first17));
            sum += value * CreditCodeWeights[i];
        }
        var check = 31 - sum % 31;
        return CreditCodeCharacters[check == 31 ? 0 : check];
    }

    /// <summary>
    /// Checks the 12-digit division code of an implementation code against the region that owns the matter: 12 digits
    /// whose first six are the region's GB/T 2260 code (<paramref name="regionDivisionCode"/>; null for national, which
    /// has none and implements nothing). Null when it holds.
    /// </summary>
    public static CodeProblem? CheckDivisionCode(string code, string? regionDivisionCode, string regionName)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (!IsDivisionCode(code))
            return DivisionCodeShape(code);
        if (regionDivisionCode is null)
        {
            return new(ErrorRule.DivisionCodeRegion,
                $"{regionName} has no division code, so no implementation code agrees with it: national matters are the basic catalogue, and each region gives the implementation code of the matters it implements.");
        }
        return code.StartsWith(regionDivisionCode, StringComparison.Ordinal)
            ? null
            : new(ErrorRule.DivisionCodeRegion,
                $"The division code {code} lies in {code[..6]}, not in {regionName}, whose division code is {regionDivisionCode}: an implementation code names the region that implements the matter, so its division code begins with {regionDivisionCode}.");
    }

    /// <summary>
    /// Checks an implementation code part by part for a matter of <paramref name="basicCode"/> (null: not known, so the
    /// first part is checked by shape only): every part that fails is reported. Whether the division code lies in the
    /// matter's region is <see cref="CheckDivisionCode"/>'s question.
    /// </summary>
    public static IReadOnlyList<CodeProblem> CheckImplementationCode(string code, string? basicCode)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (code.Length > ImplementationCodeMaxLength)
        {
            return [new(ErrorRule.ImplementationCodeFormat,
                $"An implementation code (实施编码) has at most {ImplementationCodeMaxLength} characters: a basic code of at most {BasicCodeMaxLength} and the four parts after it; this one has {code.Length}.")];
        }
        var parts = ImplementationCode.Split(code);
        if (parts is null)
        {
            return [new(ErrorRule.ImplementationCodeFormat,
                $"An implementation code (实施编码) is the basic code, the 12-digit division code, a 3-digit unit, the implementing body's 18-character 统一社会信用代码 and the handling item (a digit, a hyphen, two digits), joined by hyphens, for example {Example}; '{Shown(code)}' is not built that way.")];
        }

        var problems = new List<CodeProblem>();
        if (CheckBasicCode(parts.BasicCode) is { } badBasic)
        {
            problems.Add(new(ErrorRule.BasicCodeFormat, "The implementation code's first part is its basic code. " + badBasic));
        }
        else if (basicCode is not null && parts.BasicCode != basicCode)
        {
            problems.Add(new(ErrorRule.ImplementationBasicCode,
                $"The implementation code begins with the basic code '{parts.BasicCode}', but the matter claims '{basicCode}': an implementation code begins with the basic code of the matter it implements."));
        }
        if (!IsDivisionCode(parts.DivisionCode))
            problems.Add(DivisionCodeShape(parts.DivisionCode));
        if (parts.Unit.Length != 3 || !parts.Unit.All(char.IsAsciiDigit))
            problems.Add(new(ErrorRule.UnitFormat, $"The implementation code's third part, after the division code, is a 3-digit unit ('000' in the published codes); '{Shown(parts.Unit)}' is not 3 digits."));
        if (CheckCreditCode(parts.CreditCode) is { } badCredit)
            problems.Add(badCredit with { Message = "The implementation code's fourth part is the implementing body's 统一社会信用代码. " + badCredit.Message });
        if (!IsHandlingItem(parts.HandlingItem))
            problems.Add(new(ErrorRule.HandlingItemFormat, $"The implementation code ends with the handling item (业务办理项): a digit, a hyphen and two digits, '1-00' in the published codes; '{Shown(parts.HandlingItem)}' is not."));
        return problems;
    }

    private static bool IsDivisionCode(string code) => code.Length == 12 && code.All(char.IsAsciiDigit);

    private static CodeProblem DivisionCodeShape(string code) => new(ErrorRule.DivisionCodeFormat,
        $"The division code of an implementation code has 12 digits: the region's 6-digit GB/T 2260 code, then its township and village (or zeros); '{Shown(code)}' is not 12 digits.");

    private static bool IsHandlingItem(string item) =>
        item.Length == 4 && char.IsAsciiDigit(item[0]) && item[1] == '-' && char.IsAsciiDigit(item[2]) && char.IsAsciiDigit(item[3]);

    private static bool IsUpperLetterOrDigit(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c);

    // A refused code may hold control characters; the message shows them escaped rather than raw.
    private static string Shown(string text) =>
        string.Concat(text.Take(ImplementationCodeMaxLength + 1).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}

/// <summary>A code that breaks a rule: which rule (<see cref="ErrorRule"/>), and the sentence that says what is allowed.</summary>
public sealed record CodeProblem(string Rule, string Message);

/// <summary>An implementation code (实施编码) taken apart; see <see cref="NationalCodes"/> for its parts.</summary>
public sealed record ImplementationCode(string BasicCode, string DivisionCode, string Unit, string CreditCode, string HandlingItem)
{
    /// <summary>
    /// The five parts of <paramref name="code"/>, read from the end — a basic code may itself hold hyphens
    /// (<c>G-000007-001</c>) — or null when it has fewer than six hyphen-separated pieces. The parts are not checked.
    /// </summary>
    public static ImplementationCode? Split(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var pieces = code.Split('-');
        if (pieces.Length < 6)
            return null;
        var n = pieces.Length;
        return new(string.Join('-', pieces[..(n - 5)]), pieces[n - 5], pieces[n - 4], pieces[n - 3], pieces[n - 2] + "-" + pieces[n - 1]);
    }

    public override string ToString() => string.Join('-', BasicCode, DivisionCode, Unit, CreditCode, HandlingItem);
}
