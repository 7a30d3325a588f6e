// The protobuf messages of the OpenAPI v2 document kubectl asks for first (`Accept:
// application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): the `openapi.v2.Document` of gnostic, the model
// client-go decodes /openapi/v2 into. Message and field names and numbers are gnostic's (openapiv2/OpenAPIv2.proto);
// they are kept here as data, one message per entry, and the protobufjs types are built from it on first use, as
// apiserver/protobuf does for Kubernetes kinds.
//
// Entry syntax, one token per field:
//   name=N            a string field
//   name=N:type       a field of another scalar type (bool, double, int64, bytes) or message (a name below)
//   name=N:type[]     ... repeated (`name=N[]` for repeated strings)
//   |name=N:type      a member of the message's one `oneof` (gnostic calls it `oneof`); only one may be set
import protobuf from 'protobufjs';

export const GNOSTIC_PACKAGE = 'openapi.v2';

const ANY = 'google.protobuf.Any';

// Numbers shared by the four non-body parameter kinds and by PrimitivesItems/Header, from `type` on.
const PRIMITIVE_TAIL = (first: number): string => [
  'type', 'format', 'items:PrimitivesItems', 'collection_format', 'default:Any', 'maximum:double', 'exclusive_maximum:bool',
  'minimum:double', 'exclusive_minimum:bool', 'max_length:int64', 'min_length:int64', 'pattern', 'max_items:int64',
  'min_items:int64', 'unique_items:bool', 'enum:Any[]', 'multiple_of:double',
].map((f, i) => {
  const [name, type] = f.split(':');
  return `${name}=${first + i}${type ? `:${type}` : ''}`;
}).join(' ');

/** gnostic's openapi.v2 messages (and google.protobuf.Any, which gnostic's Any wraps). */
export const GNOSTIC_MESSAGES: Readonly<Record<string, string>> = {
  [ANY]: 'type_url=1 value=2:bytes',
  AdditionalPropertiesItem: '|schema=1:Schema |boolean=2:bool',
  Any: `value=1:${ANY} yaml=2`,
  ApiKeySecurity: 'type=1 name=2 in=3 description=4 vendor_extension=5:NamedAny[]',
  BasicAuthenticationSecurity: 'type=1 description=2 vendor_extension=3:NamedAny[]',
  BodyParameter: 'description=1 name=2 in=3 required=4:bool schema=5:Schema vendor_extension=6:NamedAny[]',
  Contact: 'name=1 url=2 email=3 vendor_extension=4:NamedAny[]',
  Definitions: 'additional_properties=1:NamedSchema[]',
  Document: 'swagger=1 info=2:Info host=3 base_path=4 schemes=5[] consumes=6[] produces=7[] paths=8:Paths '
    + 'definitions=9:Definitions parameters=10:ParameterDefinitions responses=11:ResponseDefinitions '
    + 'security=12:SecurityRequirement[] security_definitions=13:SecurityDefinitions tags=14:Tag[] '
    + 'external_docs=15:ExternalDocs vendor_extension=16:NamedAny[]',
  Examples: 'additional_properties=1:NamedAny[]',
  ExternalDocs: 'description=1 url=2 vendor_extension=3:NamedAny[]',
  FileSchema: 'format=1 title=2 description=3 default=4:Any required=5[] type=6 read_only=7:bool external_docs=8:ExternalDocs '
    + 'example=9:Any vendor_extension=10:NamedAny[]',
  FormDataParameterSubSchema: `required=1:bool in=2 description=3 name=4 allow_empty_value=5:bool ${PRIMITIVE_TAIL(6)} vendor_extension=23:NamedAny[]`,
  Header: `${PRIMITIVE_TAIL(1)} description=18 vendor_extension=19:NamedAny[]`,
  HeaderParameterSubSchema: `required=1:bool in=2 description=3 name=4 ${PRIMITIVE_TAIL(5)} vendor_extension=22:NamedAny[]`,
  Headers: 'additional_properties=1:NamedHeader[]',
  Info: 'title=1 version=2 description=3 terms_of_service=4 contact=5:Contact license=6:License vendor_extension=7:NamedAny[]',
  ItemsItem: 'schema=1:Schema[]',
  JsonReference: '_ref=1 description=2',
  License: 'name=1 url=2 vendor_extension=3:NamedAny[]',
  NamedAny: 'name=1 value=2:Any',
  NamedHeader: 'name=1 value=2:Header',
  NamedParameter: 'name=1 value=2:Parameter',
  NamedPathItem: 'name=1 value=2:PathItem',
  NamedResponse: 'name=1 value=2:Response',
  NamedResponseValue: 'name=1 value=2:ResponseValue',
  NamedSchema: 'name=1 value=2:Schema',
  NamedSecurityDefinitionsItem: 'name=1 value=2:SecurityDefinitionsItem',
  NamedString: 'name=1 value=2',
  NamedStringArray: 'name=1 value=2:StringArray',
  NonBodyParameter: '|header_parameter_sub_schema=1:HeaderParameterSubSchema |form_data_parameter_sub_schema=2:FormDataParameterSubSchema '
    + '|query_parameter_sub_schema=3:QueryParameterSubSchema |path_parameter_sub_schema=4:PathParameterSubSchema',
  Oauth2AccessCodeSecurity: 'type=1 flow=2 scopes=3:Oauth2Scopes authorization_url=4 token_url=5 description=6 vendor_extension=7:NamedAny[]',
  Oauth2ApplicationSecurity: 'type=1 flow=2 scopes=3:Oauth2Scopes token_url=4 description=5 vendor_extension=6:NamedAny[]',
  Oauth2ImplicitSecurity: 'type=1 flow=2 scopes=3:Oauth2Scopes authorization_url=4 description=5 vendor_extension=6:NamedAny[]',
  Oauth2PasswordSecurity: 'type=1 flow=2 scopes=3:Oauth2Scopes token_url=4 description=5 vendor_extension=6:NamedAny[]',
  Oauth2Scopes: 'additional_properties=1:NamedString[]',
  Operation: 'tags=1[] summary=2 description=3 external_docs=4:ExternalDocs operation_id=5 produces=6[] consumes=7[] '
    + 'parameters=8:ParametersItem[] responses=9:Responses schemes=10[] deprecated=11:bool security=12:SecurityRequirement[] '
    + 'vendor_extension=13:NamedAny[]',
  Parameter: '|body_parameter=1:BodyParameter |non_body_parameter=2:NonBodyParameter',
  ParameterDefinitions: 'additional_properties=1:NamedParameter[]',
  ParametersItem: '|parameter=1:Parameter |json_reference=2:JsonReference',
  PathItem: '_ref=1 get=2:Operation put=3:Operation post=4:Operation delete=5:Operation options=6:Operation head=7:Operation '
    + 'patch=8:Operation parameters=9:ParametersItem[] vendor_extension=10:NamedAny[]',
  PathParameterSubSchema: `required=1:bool in=2 description=3 name=4 ${PRIMITIVE_TAIL(5)} vendor_extension=22:NamedAny[]`,
  Paths: 'vendor_extension=1:NamedAny[] path=2:NamedPathItem[]',
  PrimitivesItems: `${PRIMITIVE_TAIL(1)} vendor_extension=18:NamedAny[]`,
  Properties: 'additional_properties=1:NamedSchema[]',
  QueryParameterSubSchema: `required=1:bool in=2 description=3 name=4 allow_empty_value=5:bool ${PRIMITIVE_TAIL(6)} vendor_extension=23:NamedAny[]`,
  Response: 'description=1 schema=2:SchemaItem headers=3:Headers examples=4:Examples vendor_extension=5:NamedAny[]',
  ResponseDefinitions: 'additional_properties=1:NamedResponse[]',
  ResponseValue: '|response=1:Response |json_reference=2:JsonReference',
  Responses: 'response_code=1:NamedResponseValue[] vendor_extension=2:NamedAny[]',
  Schema: '_ref=1 format=2 title=3 description=4 default=5:Any multiple_of=6:double maximum=7:double exclusive_maximum=8:bool '
    + 'minimum=9:double exclusive_minimum=10:bool max_length=11:int64 min_length=12:int64 pattern=13 max_items=14:int64 '
    + 'min_items=15:int64 unique_items=16:bool max_properties=17:int64 min_properties=18:int64 required=19[] enum=20:Any[] '
    + 'additional_properties=21:AdditionalPropertiesItem type=22:TypeItem items=23:ItemsItem all_of=24:Schema[] '
    + 'properties=25:Properties discriminator=26 read_only=27:bool xml=28:Xml external_docs=29:ExternalDocs example=30:Any '
    + 'vendor_extension=31:NamedAny[]',
  SchemaItem: '|schema=1:Schema |file_schema=2:FileSchema',
  SecurityDefinitions: 'additional_properties=1:NamedSecurityDefinitionsItem[]',
  SecurityDefinitionsItem: '|basic_authentication_security=1:BasicAuthenticationSecurity |api_key_security=2:ApiKeySecurity '
    + '|oauth2_implicit_security=3:Oauth2ImplicitSecurity |oauth2_password_security=4:Oauth2PasswordSecurity '
    + '|oauth2_application_security=5:Oauth2ApplicationSecurity |oauth2_access_code_security=6:Oauth2AccessCodeSecurity',
  SecurityRequirement: 'additional_properties=1:NamedStringArray[]',
  StringArray: 'value=1[]',
  Tag: 'name=1 description=2 external_docs=3:ExternalDocs vendor_extension=4:NamedAny[]',
  TypeItem: 'value=1[]',
  Xml: 'name=1 namespace=2 prefix=3 attribute=4:bool wrapped=5:bool vendor_extension=6:NamedAny[]',
};

const SCALARS = new Set(['string', 'bool', 'double', 'int64', 'bytes']);
const FIELD = /^(\|)?([a-z_][a-z0-9_]*)=(\d+)(?::([A-Za-z0-9_.]+))?(\[\])?$/;

export interface FieldSpec {
  name: string;
  id: number;
  type: string;
  repeated: boolean;
  oneof: boolean;
}

/** Reads one entry of GNOSTIC_MESSAGES. Throws on a malformed token, a repeated name or number. */
export function parseMessage(name: string, text: string): FieldSpec[] {
  const fields: FieldSpec[] = [];
  for (const token of text.split(/\s+/).filter(Boolean)) {
    const m = FIELD.exec(token);
    if (!m) throw new Error(`gnostic message ${name}: cannot read "${token}"`);
    const f: FieldSpec = { oneof: Boolean(m[1]), name: m[2], id: Number(m[3]), type: m[4] ?? 'string', repeated: Boolean(m[5]) };
    if (fields.some((o) => o.name === f.name || o.id === f.id)) throw new Error(`gnostic message ${name}: "${token}" repeats a name or number`);
    fields.push(f);
  }
  return fields;
}

/** Builds the protobufjs types of every message above in a new Root; throws when a field names no known type. */
export function buildGnosticRoot(messages: Readonly<Record<string, string>> = GNOSTIC_MESSAGES): protobuf.Root {
  const root = new protobuf.Root();
  for (const [fullName, text] of Object.entries(messages)) {
    const qualified = fullName.includes('.') ? fullName : `${GNOSTIC_PACKAGE}.${fullName}`;
    const dot = qualified.lastIndexOf('.');
    const type = new protobuf.Type(qualified.slice(dot + 1));
    const members: string[] = [];
    for (const f of parseMessage(fullName, text)) {
      const wire = SCALARS.has(f.type) ? f.type : f.type.includes('.') ? `.${f.type}` : `.${GNOSTIC_PACKAGE}.${f.type}`;
      type.add(new protobuf.Field(f.name, f.id, wire, f.repeated ? 'repeated' : undefined));
      if (f.oneof) members.push(f.name);
    }
    if (members.length) type.add(new protobuf.OneOf('oneof', members));
    root.define(qualified.slice(0, dot)).add(type);
  }
  root.resolveAll();
  return root;
}

let root: protobuf.Root | undefined;

/** gnostic's `openapi.v2.Document` message type (and through it every other), built once. */
export function gnosticDocumentType(): protobuf.Type {
  root ??= buildGnosticRoot();
  return root.lookupType(`${GNOSTIC_PACKAGE}.Document`);
}
